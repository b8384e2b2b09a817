export * from './imports.tables';
export * from './table-reader';
export * from './beneficiary-rows';
export * from './beneficiary-import.service';
export * from './imports.module';
export * from './order-ledger';
