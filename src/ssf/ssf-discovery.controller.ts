import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Inject } from '@nestjs/common';
import { APP_CONFIG } from '../config/tokens';
import { BaseUrl } from './http/base-url';
import { SsfExceptionFilter } from './http/ssf-exception.filter';
import { SigningKeys } from './signing/signing-keys';
import { DELIVERY_METHODS, SCOPES } from './ssf-events';

/** Where each SSF endpoint is, relative to the base URL; the discovery document names them absolutely. */
export const SSF_PATHS = {
  jwks: '/ssf/jwks',
  token: '/ssf/token',
  configuration: '/ssf/stream',
  status: '/ssf/status',
  addSubject: '/ssf/subjects/add',
  removeSubject: '/ssf/subjects/remove',
  verification: '/ssf/verify',
  /** Followed by `/{stream_id}`: a poll stream's endpoint. */
  poll: '/ssf/poll',
} as const;

/** The public metadata documents (the RISC path serves the SSF document for older receivers). */
export const SSF_WELL_KNOWN = {
  configuration: '/.well-known/ssf-configuration',
  riscConfiguration: '/.well-known/risc-configuration',
  authorizationServer: '/.well-known/oauth-authorization-server',
} as const;

/** Transmitter discovery (SSF §7), its JWKS, and the OAuth metadata telling receivers where to get tokens. */
@Controller()
@UseFilters(SsfExceptionFilter)
export class SsfDiscoveryController {
  constructor(
    private readonly keys: SigningKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The same document at RISC's older well-known path, for receivers that still look there. */
  @Get([SSF_WELL_KNOWN.configuration, SSF_WELL_KNOWN.riscConfiguration])
  configuration(@BaseUrl() base: string): Record<string, unknown> {
    return {
      spec_version: '1_0',
      issuer: this.config.SSF_ISSUER ?? base,
      jwks_uri: base + SSF_PATHS.jwks,
      delivery_methods_supported: [DELIVERY_METHODS.push, DELIVERY_METHODS.poll],
      configuration_endpoint: base + SSF_PATHS.configuration,
      status_endpoint: base + SSF_PATHS.status,
      add_subject_endpoint: base + SSF_PATHS.addSubject,
      remove_subject_endpoint: base + SSF_PATHS.removeSubject,
      verification_endpoint: base + SSF_PATHS.verification,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    };
  }

  /** RFC 8414 metadata: the token endpoint and what it accepts. */
  @Get(SSF_WELL_KNOWN.authorizationServer)
  authorizationServer(@BaseUrl() base: string): Record<string, unknown> {
    return {
      issuer: this.config.SSF_ISSUER ?? base,
      token_endpoint: base + SSF_PATHS.token,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: [SCOPES.manage, SCOPES.read],
      response_types_supported: [],
    };
  }

  @Get(SSF_PATHS.jwks)
  @Header('Cache-Control', 'public, max-age=60')
  jwks(): Promise<Record<string, unknown>> {
    return this.keys.jwks();
  }
}
