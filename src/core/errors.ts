// Errors a user can cause carry a stable code from the contract's catalogue and an HTTP status;
// anything else is a bug and surfaces as RW_INTERNAL (style.md §8).
import type { ErrorCode } from '../contract/api.ts';

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, status: number) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.status = status;
  }
}
