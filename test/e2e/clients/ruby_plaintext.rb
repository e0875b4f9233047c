#!/usr/bin/ruby
# One GET to the MAAS API exactly as the MAAS docs' Ruby example does it: the oauth gem,
# PLAINTEXT (which must be required explicitly), Authorization header scheme.
#
# Usage: ruby_plaintext.rb URL KEY PATH
#        ruby_plaintext.rb PATH          (URL and KEY from $MAAS_URL and $MAAS_API_KEY)
#   PATH is relative to URL/api/2.0/, e.g. "users/?op=whoami"
# Prints one JSON line {"status": <int>, "body": <str>}; exits 0 for any HTTP status.
require 'json'
require 'oauth'
require 'oauth/signature/plaintext'

args = ARGV.dup
url, key = args.first.to_s.match?(%r{\Ahttps?://}) ? args.shift(2) : [ENV.fetch('MAAS_URL'), ENV.fetch('MAAS_API_KEY')]
path = args.fetch(0)
consumer_key, token_key, token_secret = key.split(':', -1)

consumer = OAuth::Consumer.new(
  consumer_key, '',
  site: "#{url.chomp('/')}/api/2.0", scheme: :header, signature_method: 'PLAINTEXT'
)
access_token = OAuth::AccessToken.new(consumer, token_key, token_secret)
# The gem keeps the site's path and appends this one: /MAAS/api/2.0/<path>.
response = access_token.request(:get, "/#{path.sub(%r{\A/+}, '')}")

# Net::HTTP hands back bytes; make them a valid UTF-8 string so JSON can encode them.
body = response.body.to_s.dup.force_encoding(Encoding::UTF_8).scrub
puts JSON.generate({ status: response.code.to_i, body: body })
