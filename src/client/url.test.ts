import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UrlError } from './errors.ts';
import { apiUrl, siteUrl } from './url.ts';

test('url: adds a trailing slash and api/2.0/, as the maas CLI', () => {
  assert.equal(apiUrl('http://h:5240/MAAS'), 'http://h:5240/MAAS/api/2.0/');
  assert.equal(apiUrl('http://h:5240/MAAS/'), 'http://h:5240/MAAS/api/2.0/');
  assert.equal(apiUrl('http://h:5240'), 'http://h:5240/api/2.0/');
  assert.equal(apiUrl(' https://maas.example/MAAS/ '), 'https://maas.example/MAAS/api/2.0/');
});

test('url: keeps a path that already ends in /api/<version>/', () => {
  assert.equal(apiUrl('http://h:5240/MAAS/api/2.0'), 'http://h:5240/MAAS/api/2.0/');
  assert.equal(apiUrl('http://h:5240/MAAS/api/2.0/'), 'http://h:5240/MAAS/api/2.0/');
  assert.equal(apiUrl('http://h/MAAS/api/1.0/'), 'http://h/MAAS/api/1.0/');
});

test('url: refuses what is not an http(s) URL, and user:password in it, without echoing a password', () => {
  assert.throws(() => apiUrl('maas.example:5240/MAAS'), (e: unknown) => e instanceof UrlError && e.code === 'ERR_CLIENT_URL_INVALID');
  assert.throws(() => apiUrl('not a url'), UrlError);
  assert.throws(() => apiUrl('ftp://h/MAAS'), /must start with http:\/\/ or https:\/\//);
  assert.throws(
    () => apiUrl('http://admin:hunter2@h/MAAS'),
    (e: unknown) => e instanceof UrlError && !e.message.includes('hunter2') && /user name or password/.test(e.message),
  );
});

test('url: siteUrl is the API root without api/<version>/', () => {
  assert.equal(siteUrl('http://h:5240/MAAS/api/2.0/'), 'http://h:5240/MAAS/');
});
