"""Stand-alone tools that import nothing of the project (and no Django): a partner or a court
can run them with the standard library and ``cryptography`` alone."""
