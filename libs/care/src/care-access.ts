import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { ownsProfile } from '@xinyuan/beneficiaries/beneficiary-policy';
import { JurisdictionService } from '@xinyuan/org';
import type { CareRelation } from './care-policy';

export interface CarePerson {
  id: string;
  name: string;
  regionId: string | null;
  createdBy: string;
}

/**
 * Who stands how to a person's care data: care data are beneficiary data, so only the region's
 * staff and grid workers (officials), the assignees and serving teams, and the person's own or
 * linked account see them; everyone else gets 404 as if the person did not exist.
 */
@Injectable()
export class CareAccess {
  constructor(private readonly jurisdiction: JurisdictionService) {}

  async person(m: EntityManager, id: string, lock = false): Promise<CarePerson> {
    const [row] = await m.query(
      `SELECT id, name, region_id, created_by FROM beneficiaries WHERE id = $1 AND archived_at IS NULL ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (!row) throw DomainException.notFound(ErrorCode.BeneficiaryNotFound);
    return { id: row.id, name: row.name, regionId: row.region_id, createdBy: row.created_by };
  }

  async official(m: EntityManager, user: Pick<AuthUser, 'roles' | 'regionId'>, regionId: string | null): Promise<boolean> {
    return (await this.jurisdiction.staffCovers(user, regionId, m)) || (await this.jurisdiction.gridCovers(user, regionId, m));
  }

  /** Assignee of one of the person's active duties, or member of a team named in one. */
  async serving(m: EntityManager, userId: string, beneficiaryId: string): Promise<boolean> {
    const [row] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM care_duties d WHERE d.beneficiary_id = $1 AND d.retired_at IS NULL
                         AND (d.assignee_user_id = $2 OR d.team_id IN (SELECT team_id FROM team_members WHERE user_id = $2))) AS serving`,
      [beneficiaryId, userId],
    );
    return row.serving;
  }

  async relation(m: EntityManager, user: AuthUser, person: CarePerson): Promise<CareRelation> {
    const official = await this.official(m, user, person.regionId);
    return { official, owner: ownsProfile(user, person.createdBy), serving: official ? false : await this.serving(m, user.id, person.id) };
  }

  /** The person, when the caller is an official of their region (else 404). */
  async requireOfficial(m: EntityManager, user: AuthUser, beneficiaryId: string, lock = false): Promise<CarePerson> {
    const person = await this.person(m, beneficiaryId, lock);
    if (!(await this.official(m, user, person.regionId))) throw DomainException.notFound(ErrorCode.BeneficiaryNotFound);
    return person;
  }
}
