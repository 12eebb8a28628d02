import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DomainError, DomainErrorCode } from './domain-error';
import { APP_CONFIG, SessionsService } from './sessions.service';

export const ADMIN_USERNAME = 'admin';

/** First start: the superuser `admin`, and its API token when BOOTSTRAP_TOKEN is set. Then periodic housekeeping. */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('bootstrap');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    let admin = await this.sessions.findUser(ADMIN_USERNAME);
    if (!admin) {
      try {
        admin = await this.sessions.insertUser({
          username: ADMIN_USERNAME,
          name: 'SessionHub administrator',
          isSuperuser: true,
          isOperator: true,
        });
        this.logger.log('Created superuser admin');
      } catch (error) {
        // Another worker created it first.
        if (!(error instanceof DomainError && error.code === DomainErrorCode.Conflict)) throw error;
        admin = (await this.sessions.findUser(ADMIN_USERNAME))!;
      }
    }
    if (this.config.BOOTSTRAP_TOKEN) {
      await this.sessions
        .issueToken(admin, 'Bootstrap token (BOOTSTRAP_TOKEN)', null, 'bootstrap', this.config.BOOTSTRAP_TOKEN)
        .catch((error) => {
          if (!(error instanceof DomainError && error.code === DomainErrorCode.Conflict)) throw error;
          this.logger.warn('A token named "bootstrap" exists with another key; BOOTSTRAP_TOKEN was not stored.');
        });
    }
    this.timer = setInterval(() => {
      this.sessions.housekeeping().catch((error) => this.logger.error(`housekeeping failed: ${String(error)}`));
    }, 5 * 60_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
