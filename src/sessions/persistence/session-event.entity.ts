import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('session_events')
export class SessionEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: number;
  @Column({ name: 'session_id', type: 'bigint' }) sessionId: number;
  @Column({ type: 'varchar', length: 32 }) kind: string;
  @Column({ name: 'actor_user_id', type: 'integer', nullable: true }) actorUserId: number | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) face: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
  @Column({ type: 'inet', nullable: true }) ip: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
}
