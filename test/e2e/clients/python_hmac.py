#!/usr/bin/python3
"""One request to the MAAS API signed with HMAC-SHA1 by requests_oauthlib (empty consumer
secret), the way a generic OAuth 1.0 user who does not pick PLAINTEXT would do it.

Usage: python_hmac.py URL KEY METHOD PATH [k=v ...]
       python_hmac.py METHOD PATH [k=v ...]   (URL and KEY from $MAAS_URL and $MAAS_API_KEY)
  GET/DELETE: k=v go to the query string (repeats allowed).
  POST/PUT:   k=v go to an application/x-www-form-urlencoded body, which oauthlib then
              includes in the signature base string; put op in PATH, e.g.
              "account/?op=create_authorisation_token" name=x
Prints one JSON line {"status": <int>, "body": <str>}; exits 0 for any HTTP status.
"""
import json
import os
import sys

from oauthlib.oauth1 import SIGNATURE_HMAC
from requests_oauthlib import OAuth1Session


def url_key_rest(argv):
    if argv and argv[0].startswith(("http://", "https://")):
        return argv[0], argv[1], argv[2:]
    return os.environ["MAAS_URL"], os.environ["MAAS_API_KEY"], argv


def main(argv):
    url, key, rest = url_key_rest(argv)
    method, path, *pairs = rest
    method = method.upper()
    # A list of tuples, not a dict, so that repeated keys survive.
    params = [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in pairs]
    consumer_key, token_key, token_secret = key.split(":")
    session = OAuth1Session(
        consumer_key,
        client_secret="",
        resource_owner_key=token_key,
        resource_owner_secret=token_secret,
        signature_method=SIGNATURE_HMAC,
    )
    full = url.rstrip("/") + "/api/2.0/" + path.lstrip("/")
    if method in ("POST", "PUT"):
        r = session.request(method, full, data=params, timeout=30)
    else:
        r = session.request(method, full, params=params, timeout=30)
    print(json.dumps({"status": r.status_code, "body": r.text}))


if __name__ == "__main__":
    main(sys.argv[1:])
