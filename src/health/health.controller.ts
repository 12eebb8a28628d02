import { Controller, Get, Global, Inject, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { DATABASE } from '../config/tokens';
import { Database } from '../database/database';
import { PostgresDatabase } from '../database/postgres-database';
import { ShutdownState } from '../ops/shutdown-state';

const PING_TIMEOUT_MS = 3000;

/**
 * authentik's probe paths: live answers while the process runs; ready only while the database answers on the
 * service's own connections and the process is not shutting down. Readiness also shows where each replica stands,
 * without failing for them: the primary answers every read a replica cannot.
 */
@ApiExcludeController()
@Controller('-/health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    @Inject(DATABASE) private readonly database: Database,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const replicas = this.database instanceof PostgresDatabase ? this.database.replicaStatuses() : [];
    return this.health.check([
      () => this.serving(),
      () => this.databaseAnswers(),
      ...(replicas.length > 0
        ? [
            () =>
              this.indicators
                .check('replicas')
                .up({ inRotation: replicas.filter((r) => r.inRotation).length, replicas }),
          ]
        : []),
    ]);
  }

  private serving() {
    const check = this.indicators.check('shutdown');
    return this.shutdown.isDraining ? check.down('shutting down') : check.up();
  }

  private async databaseAnswers() {
    const check = this.indicators.check('database');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.database.rows('SELECT 1'), timeout]);
      return check.up();
    } catch (error) {
      return check.down((error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
