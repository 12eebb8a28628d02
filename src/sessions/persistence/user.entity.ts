import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'uuid', unique: true, default: () => 'gen_random_uuid()' }) uuid: string;
  @Column({ type: 'varchar', length: 150, unique: true }) username: string;
  @Column({ type: 'text', default: '' }) name: string;
  @Column({ type: 'text', default: '' }) email: string;
  @Column({ name: 'is_superuser', default: false }) isSuperuser: boolean;
  @Column({ name: 'is_operator', default: false }) isOperator: boolean;
  @Column({ name: 'is_active', default: true }) isActive: boolean;
  @Column({ type: 'char', length: 32, unique: true }) pfid: string;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
}
