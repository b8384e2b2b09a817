import { Injectable } from '@nestjs/common';

/** Whether this process should get new work: false from the moment it is told to shut down. */
@Injectable()
export class Readiness {
  private draining = false;

  get shuttingDown(): boolean {
    return this.draining;
  }

  startDraining(): void {
    this.draining = true;
  }
}
