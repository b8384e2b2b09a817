export * from './beneficiary-policy';
export * from './beneficiary.service';
export * from './beneficiaries.module';
export * from './beneficiary.tables';
