/**
 * The only error the decoders throw. It always names the file and says what is wrong with it,
 * so the catalog can show it to users as the reason a result file cannot be read.
 */
export type DecodeErrorCode =
  | 'not_found'
  | 'unreadable'
  | 'empty'
  | 'unknown_format'
  | 'unsupported_format'
  | 'not_a_trajectory'
  | 'truncated'
  | 'corrupt'
  | 'unknown_variable';

export class DecodeError extends Error {
  readonly name = 'DecodeError';

  constructor(
    readonly file: string,
    readonly code: DecodeErrorCode,
    readonly problem: string
  ) {
    super(`${file}: ${problem}`);
  }
}

export function isDecodeError(error: unknown): error is DecodeError {
  return error instanceof DecodeError;
}
