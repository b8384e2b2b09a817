import { createHash } from 'node:crypto';

/**
 * Names of the test databases. The template is TEST_DATABASE_URL as the test command sees it
 * (default xinyuan_test): migrated once per run by global-setup.ts. Each end-to-end suite runs in a
 * clone of it, `<template>__<suite>` (see suite-environment.ts).
 */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/xinyuan_test';

export function templateDatabaseUrl(): string {
  // inside a suite TEST_DATABASE_URL is the suite's clone; the environment keeps the template's here
  return process.env.TEST_TEMPLATE_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
}

/** The maintenance database of the same server, for CREATE/DROP DATABASE. */
export function adminUrl(): string {
  const url = new URL(templateDatabaseUrl());
  url.pathname = '/postgres';
  return url.toString();
}

/** A suite's database: `<template>__<suite>`, within Postgres's 63-byte identifier limit. */
export function suiteDatabaseName(suite: string): string {
  const template = new URL(templateDatabaseUrl()).pathname.slice(1);
  const name = `${template}__${suite.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
  if (name.length <= 55) return name;
  return `${name.slice(0, 46)}_${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
}

/** LIKE pattern matching every suite database of this template (left over by an interrupted run). */
export function suiteDatabasePattern(): string {
  const template = new URL(templateDatabaseUrl()).pathname.slice(1);
  return `${template.replace(/[\\_%]/g, (c) => `\\${c}`)}\\_\\_%`;
}
