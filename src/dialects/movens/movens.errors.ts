/** A MOVENS error message key; the face answers it as 400 `{"Message": key}`. */
export type MovensMessage = 'err_InvalidRequest' | 'err_InvalidGuid' | 'err_NoActiveSession';

export class MovensError extends Error {
  constructor(readonly key: MovensMessage) {
    super(key);
    this.name = 'MovensError';
  }
}
