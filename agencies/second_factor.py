"""Second factors (django-allauth's mfa): who must have one, secrets encrypted at rest, and
the middleware that holds a member to enrolment and to a session that passed the factor."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

# allauth's activation of factors has no public API; these are what its own views call.
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from agencies.selectors import second_factor_required

FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
ENROL = "Your role requires a second factor: set up an authenticator app or a security key."
CONFIRM = "Confirm this session with your second factor to continue."
API_REFUSED = "This account must sign in with its second factor first."
# Paths a member who still owes a second factor may reach: enrolment, confirmation, sign-out.
EXEMPT = ("/accounts/2fa/", "/accounts/reauthenticate/", "/accounts/logout/", "/logout/")


def has_second_factor(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type__in=FACTORS).exists()


def totp_enrol(*, user: Any, secret: str) -> Authenticator:
    """Give ``user`` an authenticator app with a known seed, and recovery codes (demo users and
    tests), through allauth's own activation, which encrypts the seeds with our adapter."""
    totp = TOTP.activate(user, secret).instance
    RecoveryCodes.activate(user)  # a no-op when the user has codes already
    return totp


def session_passed_second_factor(request: HttpRequest) -> bool:
    if not isinstance(request.user, AbstractBaseUser):
        return False
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP seeds and recovery-code seeds are stored encrypted (Fernet, MFA_ENCRYPTION_KEY)."""

    def _fernet(self) -> Fernet:
        digest = hashlib.sha256(f"cybercoop-mfa:{settings.MFA_ENCRYPTION_KEY}".encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return self._fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """The last factor of someone who must have one stays."""
        if authenticator.type not in FACTORS or not second_factor_required(user=authenticator.user):
            return True
        others = Authenticator.objects.filter(user=authenticator.user, type__in=FACTORS)
        return others.exclude(pk=authenticator.pk).exists()


class SecondFactorMiddleware:
    """A signed-in member who must use a second factor reaches nothing but enrolment until
    they have one, and nothing but confirmation until this session has passed it. API keys are
    a separate credential and are not affected (their requests carry no session user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            not user.is_authenticated
            or request.path.startswith((*EXEMPT, settings.STATIC_URL))
            or session_passed_second_factor(request)
            or not second_factor_required(user=user)
        ):
            return self.get_response(request)
        if request.path.startswith(("/api/", "/taxii2/")):
            return JsonResponse({"detail": API_REFUSED}, status=403)
        if not has_second_factor(user):
            messages.warning(request, ENROL)
            return redirect("mfa_index")
        messages.info(request, CONFIRM)
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.path})}")
