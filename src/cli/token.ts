import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { SessionsService } from '../sessions/sessions.service';

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
    const sessions = app.get(SessionsService);
    const user = await sessions.findUser(username);
    if (!user) throw new Error(`No user named ${username}.`);
    const { newKey, API_TOKEN_PREFIX } = await import('../sessions/credentials');
    const issued = await sessions.issueToken(
      user,
      option('description') ?? 'Created by npm run token',
      null,
      undefined,
      newKey(API_TOKEN_PREFIX),
    );
    console.log(issued.key);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
