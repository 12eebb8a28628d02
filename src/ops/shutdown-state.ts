import { Injectable } from '@nestjs/common';

/** Whether this process is shutting down: readiness answers 503 from the first moment, before the listener closes. */
@Injectable()
export class ShutdownState {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  begin(): void {
    this.draining = true;
  }
}
