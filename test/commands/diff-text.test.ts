import { gzipSync } from 'zlib';
import { changedMiddle, decodeUserData, describeChange, lineDiff } from '../../lib/commands/diff-text';

describe('readable long values', () => {
  test('lineDiff keeps common lines and puts removed before added', () => {
    expect(lineDiff('a\nb\nc', 'a\nx\nc')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
    ]);
  });

  test('decodeUserData reads base64 and gzip+base64 text, and refuses what is not text', () => {
    const text = '#cloud-config\nruncmd:\n  - echo hello\n';
    expect(decodeUserData(Buffer.from(text).toString('base64'))).toBe(text);
    expect(decodeUserData(gzipSync(text).toString('base64'))).toBe(text);
    expect(decodeUserData('arn:aws:iam::111111111111:role/x')).toBeUndefined();
    expect(
      decodeUserData(Buffer.from([0, 1, 2, 3, 250, 251, 252, 253, 254, 255, 0, 1, 2, 3, 4, 5]).toString('base64')),
    ).toBeUndefined();
  });

  test('changedMiddle cuts a long string around the change', () => {
    const prefix = 'x'.repeat(100);
    expect(changedMiddle(`${prefix}AAA${prefix}`, `${prefix}BBB${prefix}`, 4)).toEqual({
      before: '…xxxxAAAxxxx…',
      after: '…xxxxBBBxxxx…',
    });
  });

  test('describeChange shows JSON documents key by key and leaves short values alone', () => {
    const policy = (action: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::shop-prod-archive/*' }],
      });
    expect(describeChange(policy('s3:GetObject'), policy('s3:PutObject'))).toEqual({
      kind: 'json',
      lines: ['Statement[0].Action: s3:GetObject → s3:PutObject'],
    });
    expect(describeChange('a', 'b')).toBeUndefined();
  });
});
