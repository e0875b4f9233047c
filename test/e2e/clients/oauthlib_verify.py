#!/usr/bin/python3
"""Verifies requests signed by the maaskit SDK with Debian python3-oauthlib's own server-side
verifier (oauthlib.oauth1 ResourceEndpoint), an implementation independent of ours.

oauthlib's defaults reject every MAAS request (spec/clients.md §2.3): https only, 20-30
character keys and nonces. The validator below relaxes exactly those (enforce_ssl False,
lengths (1, 255)) and accepts one key; everything else is oauthlib's: parsing, the base string,
PLAINTEXT and HMAC comparison, the +-600 s timestamp window.

Reads one JSON object per line on stdin:
  {"method", "url", "headers": {name: value}, "body": str|null, "key": "ck:tk:ts"}
and prints one JSON line per request: {"valid": bool, "log": {check: bool}}.
"""
import json
import sys

from oauthlib.oauth1 import RequestValidator, ResourceEndpoint


class Validator(RequestValidator):
    enforce_ssl = False
    client_key_length = (1, 255)
    access_token_length = (1, 255)
    nonce_length = (1, 255)

    def __init__(self, ck, tk, ts):
        super().__init__()
        self.ck, self.tk, self.ts = ck, tk, ts
        self.nonces = set()

    @property
    def dummy_client(self):
        return "dummyclient"

    @property
    def dummy_access_token(self):
        return "dummytoken"

    def validate_client_key(self, client_key, request):
        return client_key == self.ck

    def validate_access_token(self, client_key, token, request):
        return client_key == self.ck and token == self.tk

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None, access_token=None):
        entry = (client_key, access_token, nonce)
        if entry in self.nonces:
            return False
        self.nonces.add(entry)
        return True

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True

    def get_client_secret(self, client_key, request):
        return ""

    def get_access_token_secret(self, client_key, token, request):
        return self.ts


def main():
    validators = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        ck, tk, ts = req["key"].split(":")
        validator = validators.setdefault(req["key"], Validator(ck, tk, ts))
        endpoint = ResourceEndpoint(validator)
        valid, request = endpoint.validate_protected_resource_request(
            req["url"], http_method=req["method"], body=req.get("body"), headers=req["headers"]
        )
        print(json.dumps({"valid": bool(valid), "log": getattr(request, "validator_log", {})}), flush=True)


if __name__ == "__main__":
    main()
