import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { AccountsService } from '../sessions/accounts/accounts.service';
import { API_TOKEN_PREFIX, newKey } from '../sessions/credentials/keys';

/** `npm run token -- --user admin [--description text]`: prints a new API token for that user. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const username = option('user');
  if (!username) throw new Error('usage: npm run token -- --user <username> [--description <text>]');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: loadConfig() }), {
    logger: ['error'],
  });
  try {
    const accounts = app.get(AccountsService);
    const user = await accounts.findUser(username);
    if (!user) throw new Error(`No user named ${username}.`);
    const issued = await accounts.issueToken(user, {
      description: option('description') ?? 'Created by npm run token',
      expiresAt: null,
      key: newKey(API_TOKEN_PREFIX),
    });
    console.log(issued.key);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
