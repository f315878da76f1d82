from __future__ import annotations

import pickle
import re

import pytest
from django.utils import translation

from sharing.normalize import InvalidValue, detect_type, normalize


@pytest.mark.parametrize(
    "type_,value,expected",
    [
        ("ipv4", " 192.0.2.1 ", "192.0.2.1"),
        ("ipv6", "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("cidr", "192.0.2.77/24", "192.0.2.0/24"),
        ("cidr", "2001:db8::1/32", "2001:db8::/32"),
        ("domain", "Bücher.Example.", "xn--bcher-kva.example"),
        ("domain", "EVIL.example.COM", "evil.example.com"),
        ("url", "HTTP://Example.COM:80", "http://example.com/"),
        ("url", "https://bücher.example:443/a?b=1#frag", "https://xn--bcher-kva.example/a?b=1"),
        ("url", "https://example.com:8443/x", "https://example.com:8443/x"),
        ("url", "http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/"),
        ("email", "Mule@Bücher.example", "mule@xn--bcher-kva.example"),
        ("md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        (
            "sha1",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        ),
        (
            "sha256",
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        ("asn", "as64500", "AS64500"),
        ("asn", "64500", "AS64500"),
        ("btc", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        (
            "btc",
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        (
            "eth",
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0x52908400098527886e0f7030069857d2e4169ee7",
        ),
    ],
)
def test_values_are_stored_in_canonical_form(type_, value, expected):
    assert normalize(type_, value) == expected


@pytest.mark.parametrize(
    "type_,value,fragment",
    [
        ("ipv4", "256.1.1.1", "'256.1.1.1' is not a valid IPv4 address"),
        ("ipv4", "010.1.1.1", "'010.1.1.1' is not a valid IPv4 address"),
        ("ipv6", "2001:db8::zz", "is not a valid IPv6 address"),
        ("cidr", "192.0.2.1", "prefix length"),
        ("domain", "localhost", "at least two labels"),
        ("domain", "-bad-.example", "is not a valid domain name"),
        ("url", "example.com/path", "needs a scheme and a host"),
        ("email", "no-at-sign.example", "expected local-part@domain"),
        ("md5", "abc", "expected 32 hexadecimal digits"),
        ("sha256", "g" * 64, "expected 64 hexadecimal digits"),
        ("asn", "AS-1", "expected AS64500"),
        ("btc", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "checksum"),
        ("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "checksum"),
        ("eth", "0x123", "40 hexadecimal digits"),
        ("nope", "x", "'nope' is not an indicator type"),
    ],
)
def test_invalid_values_are_refused_with_a_message_naming_them(type_, value, fragment):
    with pytest.raises(InvalidValue, match=re.escape(fragment)) as info:
        normalize(type_, value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "value,type_",
    [
        ("192.0.2.1", "ipv4"),
        ("2001:db8::1", "ipv6"),
        ("10.0.0.0/8", "cidr"),
        ("https://x.example/", "url"),
        ("d41d8cd98f00b204e9800998ecf8427e", "md5"),
        ("AS64500", "asn"),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "eth"),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "btc"),
        ("a@b.example", "email"),
        ("evil.example", "domain"),
    ],
)
def test_pasted_values_have_their_type_detected(value, type_):
    assert detect_type(value) == type_


@pytest.mark.parametrize(
    "type_,value,ours,theirs",
    [
        ("ipv4", "256.1.1.1", "expected four numbers from 0 to 255", "Octet 256"),
        ("ipv4", "010.1.1.1", "without leading zeros", "Leading zeros are not permitted"),
        ("ipv6", "2001:db8::zz", "groups of hexadecimal digits", "Only hex digits"),
        ("cidr", "192.0.2.0/33", "a prefix length that fits it", "netmask"),
        ("domain", "xn--zz.example", "characters a domain name cannot have", "Codepoint"),
        ("url", "https://x.example:99999/", "the port must be a whole number", "out of range"),
        ("url", "https://[zz/", "its host cannot be read", "Invalid IPv6 URL"),
    ],
)
def test_a_library_message_never_reaches_the_reader_our_sentence_does(type_, value, ours, theirs):
    with pytest.raises(InvalidValue, match=re.escape(ours)) as info:
        normalize(type_, value)
    assert theirs.lower() not in str(info.value).lower()


def test_a_refusal_is_translated_when_shown_not_when_made(catalogue):
    catalogue(
        "fr",
        {
            "%(value)s is not a valid AS number: %(problem)s.": (
                "%(value)s n'est pas un numéro d'AS valide : %(problem)s."
            ),
            "expected AS64500 or 64500 (1 to 4294967295)": "AS64500 ou 64500 attendu",
        },
    )
    with translation.override("en-gb"), pytest.raises(InvalidValue) as info:
        normalize("asn", "AS-1")
    with translation.override("fr"):
        assert (
            str(info.value.reason)
            == "'AS-1' n'est pas un numéro d'AS valide : AS64500 ou 64500 attendu."
        )
    # Kept for later (a job's report in the cache), it is still translated when read.
    kept = pickle.loads(pickle.dumps(info.value.reason))
    with translation.override("fr"):
        assert str(kept).startswith("'AS-1' n'est pas un numéro d'AS valide")
    with translation.override("en-gb"):
        assert (
            str(kept)
            == "'AS-1' is not a valid AS number: expected AS64500 or 64500 (1 to 4294967295)."
        )
