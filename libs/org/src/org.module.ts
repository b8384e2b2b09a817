import { Module } from '@nestjs/common';
import { JurisdictionService } from './jurisdiction.service';
import { OrgAdminService } from './org-admin.service';
import { StaffAdminService } from './staff-admin.service';
import { TeamDirectory } from './team-directory';

/**
 * The organisation: regions and jurisdiction, teams and their members, staff. The one provider of
 * `JurisdictionService` (and so of its region cache) in a process.
 */
@Module({
  providers: [JurisdictionService, TeamDirectory, OrgAdminService, StaffAdminService],
  exports: [JurisdictionService, TeamDirectory, OrgAdminService, StaffAdminService],
})
export class OrgModule {}
