import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/tokens';
import { DomainError, DomainErrorCode } from '../domain-error';
import { User } from '../session.model';
import { AccountsService } from './accounts.service';

export const ADMIN_USERNAME = 'admin';

function isConflict(error: unknown): boolean {
  return error instanceof DomainError && error.code === DomainErrorCode.Conflict;
}

/** First start: the superuser `admin`, and its API token when BOOTSTRAP_TOKEN is set. */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('bootstrap');

  constructor(
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = await this.admin();
    if (!this.config.BOOTSTRAP_TOKEN) return;
    await this.accounts
      .issueToken(admin, {
        description: 'Bootstrap token (BOOTSTRAP_TOKEN)',
        expiresAt: null,
        identifier: 'bootstrap',
        key: this.config.BOOTSTRAP_TOKEN,
      })
      .catch((error: unknown) => {
        if (!isConflict(error)) throw error;
        this.logger.warn('A token named "bootstrap" exists with another key; BOOTSTRAP_TOKEN was not stored.');
      });
  }

  private async admin(): Promise<User> {
    const existing = await this.accounts.findUser(ADMIN_USERNAME);
    if (existing) return existing;
    try {
      const admin = await this.accounts.insertUser({
        username: ADMIN_USERNAME,
        name: 'SessionHub administrator',
        isSuperuser: true,
        isOperator: true,
      });
      this.logger.log('Created superuser admin');
      return admin;
    } catch (error) {
      // Another worker created it first.
      if (!isConflict(error)) throw error;
      return (await this.accounts.findUser(ADMIN_USERNAME))!;
    }
  }
}
