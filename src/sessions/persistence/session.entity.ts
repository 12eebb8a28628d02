import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Mirrors the `sessions` table for TypeORM's metadata; hot paths read it with plain SQL (session.store.ts). */
@Entity('sessions')
export class SessionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: number;
  @Column({ type: 'uuid', unique: true }) uuid: string;
  @Column({ type: 'char', length: 32, unique: true }) pfid: string;
  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true }) tokenHash: string;
  @Column({ name: 'user_id' }) userId: number;
  @Column({ type: 'varchar', length: 150 }) username: string;
  @Column({ type: 'varchar', length: 16 }) status: string;
  @Column({ name: 'session_type', type: 'varchar', length: 8 }) sessionType: string;
  @Column({ name: 'account_id', type: 'char', length: 32 }) accountId: string;
  @Column({ name: 'domain_id', type: 'char', length: 32 }) domainId: string;
  @Column({ name: 'pool_id', type: 'char', length: 32 }) poolId: string;
  @Column({ name: 'identity_id', type: 'char', length: 32 }) identityId: string;
  @Column({ name: 'device_id', type: 'char', length: 32 }) deviceId: string;
  @Column({ type: 'text', default: '' }) title: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'first_seen_at', type: 'timestamptz' }) firstSeenAt: Date;
  @Column({ name: 'first_ip', type: 'inet' }) firstIp: string;
  @Column({ name: 'first_user_agent', type: 'text' }) firstUserAgent: string;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
  @Column({ name: 'last_ip', type: 'inet' }) lastIp: string;
  @Column({ name: 'last_user_agent', type: 'text' }) lastUserAgent: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ name: 'ended_by', type: 'integer', nullable: true }) endedBy: number | null;
  @Column({ name: 'device_brand', type: 'text', nullable: true }) deviceBrand: string | null;
  @Column({ name: 'device_model', type: 'text', nullable: true }) deviceModel: string | null;
  @Column({ name: 'device_os_name', type: 'text', nullable: true }) deviceOsName: string | null;
  @Column({ name: 'device_os_version', type: 'text', nullable: true }) deviceOsVersion: string | null;
  @Column({ name: 'device_app_name', type: 'text', nullable: true }) deviceAppName: string | null;
  @Column({ name: 'device_app_version', type: 'text', nullable: true }) deviceAppVersion: string | null;
  @Column({ name: 'device_class', type: 'varchar', length: 16 }) deviceClass: string;
  @Column({ name: 'user_agent_parsed', type: 'jsonb' }) userAgentParsed: unknown;
  @Column({ type: 'jsonb', nullable: true }) geo: unknown;
  @Column({ type: 'jsonb', nullable: true }) asn: unknown;
}
