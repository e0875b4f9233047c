#!/usr/bin/ruby
# Prints (as JSON) an HMAC-SHA1 test vector signed by the Debian ruby-oauth gem itself, with a
# fixed nonce and timestamp so it is reproducible. The request is a text/plain POST, so the gem
# adds oauth_body_hash (base64 SHA-1 of the body) to the signed parameters; our verifier must
# include it in the base string like any other oauth_* parameter.
#
# Usage: ruby_hmac_vector.rb > test/vectors/ruby-hmac-sha1.json
require 'json'
require 'oauth'
require 'oauth/client/net_http'
require 'openssl'
require 'base64'

SITE = 'http://127.0.0.1:18080'
PATH = '/MAAS/api/2.0/tags/'
BODY = 'name=x'
CONTENT_TYPE = 'text/plain'
NONCE = 'q3IEZsxdYgGzQlnxsaWiI8uYteLFLa7HVjsuQLMDM'
TIMESTAMP = '1796364929'
# What the spec (clients.md §2.4) says base64(sha1("name=x")) is; checked below.
EXPECTED_BODY_HASH = 'Nz2tZi/NmuC/AHXNzRu9+RHLBsg='

# The consumer's default signature method is HMAC-SHA1; the consumer secret is empty, as in MAAS.
consumer = OAuth::Consumer.new('CK', '', site: SITE, scheme: :header)
token = OAuth::AccessToken.new(consumer, 'TK', 'TS')
# The same call AccessToken#request makes before sending, minus the network.
request = consumer.create_signed_request(
  :post, PATH, token, { nonce: NONCE, timestamp: TIMESTAMP }, BODY, { 'Content-Type' => CONTENT_TYPE }
)
authorization = request['Authorization']
params = OAuth::Helper.parse_header(authorization)
signature = params.fetch('oauth_signature')
# The base string, from the gem too, but from a fresh unsigned copy of the request: once signed,
# the gem's own request proxy reads the new Authorization header back as a parameter.
unsigned = Net::HTTP::Post.new(PATH, 'Content-Type' => CONTENT_TYPE)
unsigned.body = BODY
base_string = unsigned.signature_base_string(
  consumer.http, consumer, token, { nonce: NONCE, timestamp: TIMESTAMP, signature_method: 'HMAC-SHA1' }
)

# Cross-checks, so a wrong vector cannot be written silently.
body_hash = Base64.strict_encode64(OpenSSL::Digest::SHA1.digest(BODY))
abort "body hash #{params['oauth_body_hash']} != #{EXPECTED_BODY_HASH}" unless params['oauth_body_hash'] == EXPECTED_BODY_HASH && body_hash == EXPECTED_BODY_HASH
recomputed = Base64.strict_encode64(OpenSSL::HMAC.digest('SHA1', '&TS', base_string))
abort "signature #{signature} != HMAC(base string) #{recomputed}" unless recomputed == signature

puts JSON.pretty_generate(
  description: "HMAC-SHA1 signed by Debian ruby-oauth #{OAuth::VERSION} (Ruby #{RUBY_VERSION}) via " \
               'OAuth::Consumer#create_signed_request with fixed :nonce/:timestamp. The body is text/plain, ' \
               'so the gem adds oauth_body_hash=base64(sha1(body)) and does not sign the body as parameters. ' \
               'Consumer secret is empty, so the HMAC key is "&TS".',
  method: 'POST',
  url: SITE + PATH,
  contentType: CONTENT_TYPE,
  body: BODY,
  authorization: authorization,
  consumerKey: 'CK',
  tokenKey: 'TK',
  tokenSecret: 'TS',
  signatureBaseString: base_string,
  expectedSignature: signature
)
