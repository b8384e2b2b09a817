import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** Which teams a user belongs to: the relation every volunteer permission is checked against. */
@Injectable()
export class TeamDirectory {
  constructor(private readonly dataSource: DataSource) {}

  async teamIdsOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: { team_id: string }[] = await manager.query(`SELECT team_id FROM team_members WHERE user_id = $1`, [userId]);
    return rows.map((r) => r.team_id);
  }

  async isMember(userId: string, teamId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = await manager.query(`SELECT 1 FROM team_members WHERE user_id = $1 AND team_id = $2`, [userId, teamId]);
    return rows.length > 0;
  }
}
