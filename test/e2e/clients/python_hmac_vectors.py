#!/usr/bin/python3
"""Prints (as JSON) HMAC-SHA1 test vectors signed by Debian's python3-oauthlib itself,
with a fixed nonce and timestamp so they are reproducible.

Usage: python_hmac_vectors.py > test/vectors/python-hmac-sha1.json

The signature base string is the one oauthlib logs while signing (logger "oauthlib",
DEBUG), so it is the library's own, not a re-derivation of ours.
"""
import base64
import hashlib
import hmac
import json
import logging

import oauthlib
from oauthlib.oauth1 import SIGNATURE_HMAC, Client
from oauthlib.oauth1.rfc5849 import utils

CK, TK, TS = "CK", "TK", "TS"
NONCE, TIMESTAMP = "4118550908234721641796364918", "1796364918"
FORM = "application/x-www-form-urlencoded"
BASE = "http://127.0.0.1:5240/MAAS/api/2.0/"

CASES = [
    {
        "name": "get-repeated-key-and-percent-encoded-space",
        "note": "Repeated query keys are all signed, sorted by value; %20 decodes to a space.",
        "method": "GET",
        "url": BASE + "machines/?hostname=a&hostname=b%20c",
    },
    {
        "name": "get-plus-in-query",
        "note": "What python-requests actually sends for params=[('hostname','b c')]: '+'. "
        "oauthlib decodes '+' in the query as a space (form decoding), so the base string "
        "has b%20c and the signature equals the %20 case.",
        "method": "GET",
        "url": BASE + "machines/?hostname=a&hostname=b+c",
    },
    {
        "name": "post-form-op-in-body",
        "note": "Form body parameters are signed; '+' in the body is a space.",
        "method": "POST",
        "url": BASE + "tags/",
        "contentType": FORM,
        "body": "name=my+key&op=x",
    },
    {
        "name": "post-form-op-in-query",
        "note": "The gomaasapi/maascli shape: op in the query, parameters in the form body, "
        "with an escaped '&', a '~' and a UTF-8 'é'.",
        "method": "POST",
        "url": BASE + "account/?op=create_authorisation_token",
        "contentType": FORM,
        "body": "name=my+key&comment=a%26b%7E%C3%A9",
    },
]


class Capture(logging.Handler):
    """Keeps the base string oauthlib logs just before it computes the HMAC."""

    base_string = None

    def emit(self, record):
        msg = record.getMessage()
        prefix = "Signing: signature base string: "
        if msg.startswith(prefix):
            self.base_string = msg[len(prefix):]


def main():
    capture = Capture()
    logger = logging.getLogger("oauthlib")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(capture)
    out = []
    for case in CASES:
        client = Client(CK, client_secret="", resource_owner_key=TK, resource_owner_secret=TS,
                        signature_method=SIGNATURE_HMAC, nonce=NONCE, timestamp=TIMESTAMP)
        headers = {"Content-Type": case["contentType"]} if "contentType" in case else {}
        capture.base_string = None
        _, signed, _ = client.sign(case["url"], case["method"], case.get("body"), headers)
        authorization = signed["Authorization"]
        params = dict(utils.parse_authorization_header(authorization))
        # parse_authorization_header leaves values percent-encoded.
        signature = utils.unescape(params["oauth_signature"])
        # Cross-check: HMAC-SHA1 of the logged base string with key "&TS" (empty consumer secret).
        recomputed = base64.b64encode(
            hmac.new(b"&" + TS.encode(), capture.base_string.encode(), hashlib.sha1).digest()
        ).decode()
        assert recomputed == signature, (case["name"], recomputed, signature)
        out.append({
            "name": case["name"],
            "description": case["note"],
            "method": case["method"],
            "url": case["url"],
            "contentType": case.get("contentType"),
            "body": case.get("body"),
            "authorization": authorization,
            "consumerKey": CK,
            "tokenKey": TK,
            "tokenSecret": TS,
            "signatureBaseString": capture.base_string,
            "expectedSignature": signature,
        })
    print(json.dumps({
        "description": f"HMAC-SHA1 signed by Debian python3-oauthlib {oauthlib.__version__} "
        "(oauthlib.oauth1.Client, SIGNATURE_HMAC, client_secret='', fixed nonce and timestamp). "
        "No realm. The HMAC key is '&TS'.",
        "cases": out,
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
