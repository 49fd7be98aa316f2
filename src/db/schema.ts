import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

// ───────────────────────── network and catalog ─────────────────────────

export const parks = pgTable('parks', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  district: text('district').notNull(),
  description: text('description').notNull().default(''),
  createdAt: createdAt(),
});

export const nodeKind = pgEnum('node_kind', ['centre', 'station', 'lab']);

export const nodes = pgTable('nodes', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  shortName: text('short_name').notNull(),
  kind: nodeKind('kind').notNull(),
  parkId: integer('park_id').references(() => parks.id),
  district: text('district').notNull(),
  address: text('address').notNull(),
  hours: text('hours').notNull(),
  phone: text('phone').notNull(),
  contactName: text('contact_name').notNull().default(''),
  description: text('description').notNull().default(''),
  active: boolean('active').notNull().default(true),
  sortOrder: integer('sort_order').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const serviceCategories = pgTable('service_categories', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  /** Prefix of booking numbers for this category: JL / YP / BZ / RZ / ZX. */
  bookingPrefix: text('booking_prefix').notNull(),
  sortOrder: integer('sort_order').notNull().default(0),
});

export const bookingKind = pgEnum('booking_kind', ['calibration', 'oil_test', 'consultation']);

/** Reference data: instrument categories with their regulations (JJG/JJF) and verification periods. */
export const instrumentCategories = pgTable('instrument_categories', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  discipline: text('discipline').notNull(),
  /** yes | conditional | no | unknown — listed in the 2020 compulsory-verification catalogue. */
  compulsory: text('compulsory').notNull(),
  compulsoryScope: text('compulsory_scope'),
  regulations: text('regulations').array().notNull(),
  periodMonths: integer('period_months'),
  periodRule: text('period_rule'),
  serviceModes: text('service_modes').array().notNull(),
  note: text('note'),
});

/** Reference data: oil product grades with their specification. */
export const oilGrades = pgTable('oil_grades', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  family: text('family').notNull(),
  standard: text('standard').notNull(),
  sortOrder: integer('sort_order').notNull().default(0),
});

export const oilTestItems = pgTable('oil_test_items', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  nameEn: text('name_en').notNull(),
  unit: text('unit').notNull(),
  methods: text('methods').array().notNull(),
  appliesTo: text('applies_to').array().notNull(),
  /** Plausible physical range of a measured value; values outside are refused as typos. */
  plausibleMin: doublePrecision('plausible_min'),
  plausibleMax: doublePrecision('plausible_max'),
  sortOrder: integer('sort_order').notNull().default(0),
});

export const limitKind = pgEnum('limit_kind', ['min', 'max', 'range', 'criterion', 'note']);

/** One spec limit of a test item for a grade (min / max / range are numeric; criterion and note are text). */
export const oilLimits = pgTable(
  'oil_limits',
  {
    id: serial('id').primaryKey(),
    itemCode: text('item_code').notNull().references(() => oilTestItems.code),
    gradeCode: text('grade_code').notNull().references(() => oilGrades.code),
    kind: limitKind('kind').notNull(),
    minValue: doublePrecision('min_value'),
    maxValue: doublePrecision('max_value'),
    criterion: text('criterion'),
    verified: boolean('verified').notNull(),
    source: text('source').notNull(),
    note: text('note'),
  },
  (t) => [uniqueIndex('oil_limits_item_grade_uq').on(t.itemCode, t.gradeCode)],
);

export const oilPackages = pgTable('oil_packages', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  itemCodes: text('item_codes').array().notNull(),
  gradeFamilies: text('grade_families').array().notNull(),
  turnaroundDays: integer('turnaround_days').notNull(),
});

export const services = pgTable(
  'services',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    categoryCode: text('category_code')
      .notNull()
      .references(() => serviceCategories.code),
    bookingKind: bookingKind('booking_kind').notNull(),
    summary: text('summary').notNull(),
    description: text('description').notNull().default(''),
    /** Method standards / regulations (JJG, JJF, GB/T, ISO …). */
    standards: text('standards').array().notNull(),
    turnaroundDays: integer('turnaround_days').notNull(),
    feeBasis: text('fee_basis').notNull(),
    requiredDocuments: text('required_documents').array().notNull(),
    instrumentCategoryCode: text('instrument_category_code').references(() => instrumentCategories.code),
    /** Oil tests: which grades and packages can be booked under this service. */
    gradeCodes: text('grade_codes').array(),
    packageCodes: text('package_codes').array(),
    /** send_in / on_site for calibration; on_site / online for consultations. */
    deliveryModes: text('delivery_modes').array().notNull(),
    keywords: text('keywords').notNull().default(''),
    active: boolean('active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('services_category_idx').on(t.categoryCode, t.sortOrder)],
);

export const nodeServices = pgTable(
  'node_services',
  {
    id: serial('id').primaryKey(),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('node_services_node_service_uq').on(t.nodeId, t.serviceId), index('node_services_service_idx').on(t.serviceId)],
);

// ───────────────────────── accounts ─────────────────────────

export const enterpriseReview = pgEnum('enterprise_review', ['none', 'pending', 'approved', 'rejected']);

export const enterprises = pgTable(
  'enterprises',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    /** 统一社会信用代码, stored upper-case. One code = one enterprise. */
    creditCode: text('credit_code').notNull().unique(),
    /** The check character did not match and the user confirmed the code: a platform admin reviews it. */
    creditCodeReview: enterpriseReview('credit_code_review').notNull().default('none'),
    parkId: integer('park_id').references(() => parks.id),
    address: text('address').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('enterprises_park_idx').on(t.parkId), index('enterprises_review_idx').on(t.creditCodeReview)],
);

export const userRole = pgEnum('user_role', ['enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin']);

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    role: userRole('role').notNull(),
    name: text('name').notNull(),
    mobile: text('mobile').notNull().unique(),
    /** Stored lower-case; unique when present. */
    email: text('email').unique(),
    passwordHash: text('password_hash').notNull(),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    nodeId: integer('node_id').references(() => nodes.id),
    parkId: integer('park_id').references(() => parks.id),
    active: boolean('active').notNull().default(true),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('users_enterprise_idx').on(t.enterpriseId),
    index('users_node_idx').on(t.nodeId),
    // The scope column must match the role, so an authorisation check can never meet a half-scoped user.
    check(
      'users_scope_matches_role',
      sql`(${t.role} = 'enterprise' AND ${t.enterpriseId} IS NOT NULL AND ${t.nodeId} IS NULL AND ${t.parkId} IS NULL)
       OR (${t.role} IN ('lab_staff','node_manager') AND ${t.nodeId} IS NOT NULL AND ${t.enterpriseId} IS NULL AND ${t.parkId} IS NULL)
       OR (${t.role} = 'park_admin' AND ${t.parkId} IS NOT NULL AND ${t.enterpriseId} IS NULL AND ${t.nodeId} IS NULL)
       OR (${t.role} = 'platform_admin' AND ${t.enterpriseId} IS NULL AND ${t.nodeId} IS NULL AND ${t.parkId} IS NULL)`,
    ),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    sid: text('sid').primaryKey(),
    sess: jsonb('sess').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_expires_idx').on(t.expiresAt)],
);

/** Fixed-window counters shared by every app process (login throttling, lookup limits). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  resetAt: timestamp('reset_at', { withTimezone: true }).notNull(),
});

// ───────────────────────── audit ─────────────────────────

/**
 * The audit log and every booking's timeline. Append-only: a trigger in the migrations refuses UPDATE and DELETE.
 */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: integer('actor_user_id').references(() => users.id),
    /** booking | user | enterprise | node | service | node_service | closure | report | auth */
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    data: jsonb('data'),
  },
  (t) => [
    index('events_entity_idx').on(t.entityType, t.entityId, t.at),
    index('events_actor_idx').on(t.actorUserId, t.at),
    index('events_at_idx').on(t.at),
  ],
);
