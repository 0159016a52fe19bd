import { describe, expect, it } from 'vitest';
import { describeLoadFailure } from '../src/fauxqs-on-host.js';

describe('a local SNS/SQS that cannot load', () => {
  it('on a Node.js without node:sqlite, says to run on Node.js 24 rather than to reinstall fauxqs', () => {
    // What Node.js 20 throws when fauxqs 2.4's persistence imports node:sqlite.
    const err = Object.assign(new Error('No such built-in module: node:sqlite'), {
      code: 'ERR_UNKNOWN_BUILTIN_MODULE',
    });
    const message = describeLoadFailure(err, '/app/node_modules/fauxqs', 'v20.20.2');
    expect(message).toMatch(/node:sqlite, which Node\.js v20\.20\.2 does not have/);
    expect(message).toMatch(/Run Changeflow on Node\.js 24/);
    expect(message).not.toMatch(/npm install/);
  });

  it('otherwise, says the installed fauxqs is not the 2.4.x it is built from, and how to install it', () => {
    const err = Object.assign(new Error("Cannot find module '/app/node_modules/fauxqs/dist/persistence.js'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const message = describeLoadFailure(err, '/app/node_modules/fauxqs', 'v24.1.0');
    expect(message).toMatch(/the fauxqs at \/app\/node_modules\/fauxqs lacks the 2\.4\.x files/);
    expect(message).toMatch(/npm install --save-dev fauxqs@~2\.4\.1/);
  });
});
