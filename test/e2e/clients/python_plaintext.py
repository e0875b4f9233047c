#!/usr/bin/python3
"""One GET to the MAAS API signed the way the MAAS docs' newer Python example does it:
requests_oauthlib with PLAINTEXT (signature "&<token_secret>", empty consumer secret).

Usage: python_plaintext.py URL KEY PATH
       python_plaintext.py PATH            (URL and KEY from $MAAS_URL and $MAAS_API_KEY)
  URL  like http://127.0.0.1:5240/MAAS   KEY  consumer_key:token_key:token_secret
  PATH relative to URL/api/2.0/, e.g. "users/?op=whoami"
Prints one JSON line {"status": <int>, "body": <str>}; exits 0 for any HTTP status.
"""
import json
import os
import sys

from oauthlib.oauth1 import SIGNATURE_PLAINTEXT
from requests_oauthlib import OAuth1Session


def url_key_rest(argv):
    # The URL is recognisable by its scheme; otherwise both come from the environment.
    if argv and argv[0].startswith(("http://", "https://")):
        return argv[0], argv[1], argv[2:]
    return os.environ["MAAS_URL"], os.environ["MAAS_API_KEY"], argv


def main(argv):
    url, key, rest = url_key_rest(argv)
    (path,) = rest
    consumer_key, token_key, token_secret = key.split(":")
    session = OAuth1Session(
        consumer_key,
        resource_owner_key=token_key,
        resource_owner_secret=token_secret,
        signature_method=SIGNATURE_PLAINTEXT,
    )
    r = session.get(url.rstrip("/") + "/api/2.0/" + path.lstrip("/"), timeout=30)
    print(json.dumps({"status": r.status_code, "body": r.text}))


if __name__ == "__main__":
    main(sys.argv[1:])
