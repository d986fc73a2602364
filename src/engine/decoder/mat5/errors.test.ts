import { realFixture } from '../../../../tests/support/fixtures';
import { openResultFile } from '../index';
import { readWithMatForJs } from './mat-for-js';

jest.mock('./mat-for-js', () => ({ readWithMatForJs: jest.fn() }));

const read = jest.mocked(readWithMatForJs);

/** mat-for-js's own error classes are not exported; these carry the same names. */
class NamedError extends Error {
  constructor(
    readonly name: string,
    message: string
  ) {
    super(message);
  }
}

describe('errors thrown by mat-for-js', () => {
  it.each([
    [
      'a RangeError (truncated data)',
      new RangeError('Offset is outside the bounds of the DataView'),
      'corrupt',
      'MAT v5 file is damaged or truncated: mat-for-js failed (Offset is outside the bounds of the DataView)',
    ],
    [
      'a FormatError',
      new NamedError('FormatError', "Unexpected value when reading near byte 128: Data element's type is 8"),
      'corrupt',
      "MAT v5 file is damaged or truncated: mat-for-js failed (Unexpected value when reading near byte 128: Data element's type is 8)",
    ],
    [
      'a FeatureError',
      new NamedError('FeatureError', 'Matlab v7.3 MAT-files are not supported'),
      'unsupported_format',
      'MAT v5 file not supported by mat-for-js: Matlab v7.3 MAT-files are not supported',
    ],
    // pako (inside mat-for-js) throws bare strings.
    [
      'a string',
      'incorrect header check',
      'corrupt',
      'MAT v5 file could not be decoded by mat-for-js (incorrect header check)',
    ],
  ])('%s becomes a DecodeError naming the file', async (_kind, thrown, code, problem) => {
    read.mockRejectedValueOnce(thrown);
    await expect(openResultFile(realFixture('matv5_missing_aclass.mat'), 'v5.mat')).rejects.toMatchObject({
      name: 'DecodeError',
      code,
      message: `v5.mat: ${problem}`,
    });
  });
});
