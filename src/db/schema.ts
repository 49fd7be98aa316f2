import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
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
  /** Display name, e.g. "ISO 8217 RMG 380 残渣船用燃料油". */
  name: text('name').notNull(),
  shortName: text('short_name').notNull().default(''),
  /** For bilingual (中英文) reports only. */
  nameEn: text('name_en').notNull().default(''),
  family: text('family').notNull(),
  standard: text('standard').notNull(),
  /** Specification editions that can be booked for this grade (only those with verified limits). */
  editions: text('editions').array().notNull().default(sql`'{}'::text[]`),
  /** Qualities the customer must choose when limits depend on them, e.g. winter / summer pour point. */
  variants: jsonb('variants').$type<{ code: string; name: string; nameEn?: string }[]>().notNull().default([]),
  sulphurNote: text('sulphur_note'),
  remark: text('remark'),
  sortOrder: integer('sort_order').notNull().default(0),
});

/** Specification editions of the oil desk: which can be booked, and why the others cannot. */
export const oilEditions = pgTable('oil_editions', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  families: text('families').array().notNull(),
  bookable: boolean('bookable').notNull(),
  notice: text('notice'),
  sortOrder: integer('sort_order').notNull().default(0),
});

export const oilTestItems = pgTable('oil_test_items', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  nameEn: text('name_en').notNull(),
  unit: text('unit').notNull(),
  /** Display form of each method, e.g. "ISO 3104（GB/T 265）". */
  methods: text('methods').array().notNull(),
  appliesTo: text('applies_to').array().notNull(),
  remark: text('remark'),
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
    /** The specification edition, e.g. "ISO 8217:2017". */
    edition: text('edition').notNull().default(''),
    /** '' for every quality of the grade; otherwise the variant it applies to ('winter', 'summer'). */
    variant: text('variant').notNull().default(''),
    kind: limitKind('kind').notNull(),
    minValue: doublePrecision('min_value'),
    maxValue: doublePrecision('max_value'),
    /** Chinese wording as in the Chinese editions; the tester judges against it. */
    criterion: text('criterion'),
    criterionEn: text('criterion_en'),
    /** When the limit applies (e.g. lubricity only for sulphur < 500 mg/kg), printed with it. */
    condition: text('condition'),
    verified: boolean('verified').notNull(),
    /** Set when the platform admin checked an unverified limit against the standard (audited). */
    verifiedBy: integer('verified_by').references(() => users.id),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    /** The standard and its table as users read it, e.g. "ISO 8217:2017 表 2". */
    source: text('source').notNull(),
    /** Engineers' research trail: never rendered. */
    researchNote: text('note'),
  },
  (t) => [uniqueIndex('oil_limits_item_grade_uq').on(t.itemCode, t.gradeCode, t.edition, t.variant)],
);

export const oilPackages = pgTable('oil_packages', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  itemCodes: text('item_codes').array().notNull(),
  gradeFamilies: text('grade_families').array().notNull(),
  /** null: every grade of the families; otherwise only these grades. */
  gradeCodes: text('grade_codes').array(),
  remark: text('remark'),
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
    /** The 办事指南 users read (scope, 强检范围, period, steps, materials, time limit, legal basis, notes): reference text from the seed. */
    guide: jsonb('guide').$type<ServiceGuide>(),
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
    /** Units (instruments or samples) per half-day window on working days. */
    capacityAm: integer('capacity_am').notNull().default(0),
    capacityPm: integer('capacity_pm').notNull().default(0),
    /** Consultations: timed slots ("09:00" …) with `slotCapacity` experts each. */
    slotTimes: text('slot_times').array(),
    slotCapacity: integer('slot_capacity').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('node_services_node_service_uq').on(t.nodeId, t.serviceId),
    index('node_services_service_idx').on(t.serviceId),
    check('node_services_capacity_nonneg', sql`${t.capacityAm} >= 0 AND ${t.capacityPm} >= 0 AND ${t.slotCapacity} >= 0`),
  ],
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
    /** 开票信息: the invoice title (usually the company name), taxpayer number, address & phone, bank & account. */
    invoiceTitle: text('invoice_title'),
    invoiceTaxNo: text('invoice_tax_no'),
    invoiceAddressPhone: text('invoice_address_phone'),
    invoiceBankAccount: text('invoice_bank_account'),
    /** company | institute (科研院所): set by the platform; with the park it gives the user category of shared-equipment rates. */
    orgType: text('org_type').notNull().default('company'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('enterprises_park_idx').on(t.parkId), index('enterprises_review_idx').on(t.creditCodeReview)],
);

export const userRole = pgEnum('user_role', ['enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin', 'expert']);

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
    /** 大字版: larger text and higher contrast on every page (适老化, GB/T 37668), kept per user. */
    largeText: boolean('large_text').notNull().default(false),
    /** Coordinator duty (协调人): granted to city-centre staff or platform admins; null when not held. */
    coordinatorSince: timestamp('coordinator_since', { withTimezone: true }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    /** 企业管理员: invites colleagues, deactivates them, answers join requests (enterprise users only). */
    companyAdmin: boolean('company_admin').notNull().default(false),
    /** 线下窗口 duty, granted by the node manager: books on a company's behalf and runs the walk-in queue (node staff only). */
    windowDuty: boolean('window_duty').notNull().default(false),
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
       OR (${t.role}::text IN ('platform_admin','expert') AND ${t.enterpriseId} IS NULL AND ${t.nodeId} IS NULL AND ${t.parkId} IS NULL)`,
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

// ───────────────────────── capacity ─────────────────────────

/** A node's closed days (typhoon, maintenance): no windows are offered, due dates skip them. */
export const closures = pgTable(
  'closures',
  {
    id: serial('id').primaryKey(),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    startDate: date('start_date').notNull(),
    endDate: date('end_date').notNull(),
    reason: text('reason').notNull(),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('closures_node_dates_idx').on(t.nodeId, t.startDate, t.endDate), check('closures_range', sql`${t.endDate} >= ${t.startDate}`)],
);

/**
 * Units taken per (node-service, date, window). Rows are created lazily with the node-service's capacity at that
 * time. `used <= capacity` is a database constraint: whatever the code does, a window can never be oversold.
 */
export const capacityWindows = pgTable(
  'capacity_windows',
  {
    id: serial('id').primaryKey(),
    nodeServiceId: integer('node_service_id')
      .notNull()
      .references(() => nodeServices.id),
    date: date('date').notNull(),
    /** 'am' | 'pm' for half-day windows, 'HH:MM' for consultation slots. */
    window: text('window').notNull(),
    capacity: integer('capacity').notNull(),
    used: integer('used').notNull().default(0),
  },
  (t) => [
    uniqueIndex('capacity_windows_slot_uq').on(t.nodeServiceId, t.date, t.window),
    check('capacity_windows_not_oversold', sql`${t.used} >= 0 AND ${t.used} <= ${t.capacity}`),
  ],
);

// ───────────────────────── bookings ─────────────────────────

/** How a booking reached the platform: online by the company, at a node's walk-in window by staff, or through the API. */
export const bookingChannel = pgEnum('booking_channel', ['online', 'window', 'api']);

export const bookingStatus = pgEnum('booking_status', [
  'submitted',
  'needs_info',
  'accepted',
  'received',
  'in_progress',
  'to_verify',
  'verified',
  'reported',
  'completed',
  'rejected',
  'cancelled',
]);

/** Daily sequence per number prefix (JL, YP …): one row per prefix and day, incremented under its row lock. */
export const bookingCounters = pgTable(
  'booking_counters',
  {
    prefix: text('prefix').notNull(),
    day: date('day').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.day] })],
);

export const bookings = pgTable(
  'bookings',
  {
    id: serial('id').primaryKey(),
    /** e.g. JL-20261127-0001: kind prefix, creation date (Shanghai), daily sequence. */
    number: text('number').notNull().unique(),
    kind: bookingKind('kind').notNull(),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    /** The company's park when it booked: park statistics count the booking where the company was then. */
    parkId: integer('park_id').references(() => parks.id),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id),
    nodeServiceId: integer('node_service_id')
      .notNull()
      .references(() => nodeServices.id),
    windowId: integer('window_id').references(() => capacityWindows.id),
    /** The booked window: date and 'am' | 'pm' | 'HH:MM'. */
    date: date('date').notNull(),
    window: text('window').notNull(),
    /** Capacity units held while the booking is live (instruments or samples; 1 for a consultation). */
    units: integer('units').notNull(),
    channel: bookingChannel('channel').notNull().default('online'),
    /** Window bookings: the walk-in case (staff member and visitor) it was entered in. */
    windowCaseId: integer('window_case_id').references((): AnyPgColumn => windowCases.id),
    status: bookingStatus('status').notNull().default('submitted'),
    deliveryMode: text('delivery_mode').notNull(),
    onsiteAddress: text('onsite_address'),
    contactName: text('contact_name').notNull(),
    contactMobile: text('contact_mobile').notNull(),
    remarks: text('remarks').notNull().default(''),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    assignedTo: integer('assigned_to').references(() => users.id),
    dueDate: date('due_date'),
    /** On-site work: the agreed visit date, set at reception. */
    visitDate: date('visit_date'),
    /** Four-eyes: who entered the results and who verified them (must differ). */
    resultsBy: integer('results_by').references(() => users.id),
    resultsAt: timestamp('results_at', { withTimezone: true }),
    verifiedBy: integer('verified_by').references(() => users.id),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    /** pass | fail | info (calibration data without a verdict) — derived from the results. */
    conclusion: text('conclusion'),
    conclusionRemark: text('conclusion_remark'),
    /** Set when the report is issued: working days from acceptance to report, and whether that met the due date. */
    turnaroundDays: integer('turnaround_days'),
    onTime: boolean('on_time'),
    /** Oil tests: the company asked for a bilingual (中英文) report. */
    bilingualReport: boolean('bilingual_report').notNull().default(false),
    /** The enterprise's evaluation (1–5), copied here so statistics read one table. */
    evaluationLevel: integer('evaluation_level'),
    idempotencyKey: text('idempotency_key').notNull(),
    /** Open API only: SHA-256 of method, path and canonical JSON body of the request that created it, so the same
        Idempotency-Key sent with a different request is refused (422). Null for the web forms (and older API bookings). */
    requestFingerprint: text('request_fingerprint'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    reportedAt: timestamp('reported_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('bookings_idempotency_uq').on(t.enterpriseId, t.idempotencyKey),
    index('bookings_enterprise_created_idx').on(t.enterpriseId, t.createdAt),
    index('bookings_node_status_due_idx').on(t.nodeId, t.status, t.dueDate),
    index('bookings_window_idx').on(t.windowId),
    // Statistics read bookings through covering indexes on (created_at), (node_id, created_at) and
    // (park_id, created_at) INCLUDE (…), and the lab's finished tabs through partial indexes — all created by hand in
    // migration 0006, as drizzle-kit can express neither INCLUDE nor those predicates.
    index('bookings_reported_idx').on(t.reportedAt),
    check('bookings_units_positive', sql`${t.units} > 0`),
  ],
);

/**
 * The dashboards' rollup of bookings (issue 18): bookings counted by the Shanghai day they were submitted ('d' rows)
 * and by its month ('m' rows, `day` = the month's first day), per node, the company's park then (0 = in no park),
 * service, channel and state, with the sums the dashboards show. A period reads whole months from 'm' rows and the
 * days at its edges from 'd' rows: at most ~36 + 62 buckets per key for three years, whatever the number of bookings.
 * Kept exact by statement-level triggers on `bookings` (migration booking_stats, same transaction as every change);
 * `rebuildDailyStats()` (src/stats/rollup.ts) recomputes both tables from the bookings (repair job, bulk loads).
 */
export const bookingStats = pgTable(
  'booking_stats',
  {
    grain: text('grain').notNull(),
    day: date('day').notNull(),
    nodeId: integer('node_id').notNull(),
    parkId: integer('park_id').notNull(),
    serviceId: integer('service_id').notNull(),
    channel: bookingChannel('channel').notNull(),
    status: bookingStatus('status').notNull(),
    n: integer('n').notNull(),
    /** Bookings with a turnaround (a report was issued), the sum of their days, and how many were on time. */
    reported: integer('reported').notNull(),
    turnaroundSum: integer('turnaround_sum').notNull(),
    onTime: integer('on_time').notNull(),
    /** Evaluations by level (1 … 5). */
    ev1: integer('ev1').notNull(),
    ev2: integer('ev2').notNull(),
    ev3: integer('ev3').notNull(),
    ev4: integer('ev4').notNull(),
    ev5: integer('ev5').notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.day, t.nodeId, t.parkId, t.serviceId, t.channel, t.status] })],
);

/** The distribution of turnaround days in the same buckets (the p90 is read from it exactly). */
export const bookingStatsTurnaround = pgTable(
  'booking_stats_turnaround',
  {
    grain: text('grain').notNull(),
    day: date('day').notNull(),
    nodeId: integer('node_id').notNull(),
    parkId: integer('park_id').notNull(),
    days: integer('days').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.grain, t.day, t.nodeId, t.parkId, t.days] })],
);

/**
 * Each company's first and last booking (submitted) per park it booked from (0 = in no park), and per node and park:
 * kept by the same triggers. A period counts a company for sure when its first or last booking falls inside, not at
 * all when both lie on one side; only a company whose bookings straddle the whole period is looked up in the bookings
 * (one index probe) — so "this year" or "the last three years" count distinct companies without reading bookings.
 */
export const bookingCompanySpans = pgTable(
  'booking_company_spans',
  {
    enterpriseId: integer('enterprise_id').notNull(),
    parkId: integer('park_id').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.enterpriseId, t.parkId] })],
);

export const bookingCompanyNodeSpans = pgTable(
  'booking_company_node_spans',
  {
    nodeId: integer('node_id').notNull(),
    enterpriseId: integer('enterprise_id').notNull(),
    parkId: integer('park_id').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.enterpriseId, t.parkId] })],
);

/** One instrument line (calibration), one sample (oil test) or the topic (consultation) of a booking. */
export const bookingItems = pgTable(
  'booking_items',
  {
    id: serial('id').primaryKey(),
    bookingId: integer('booking_id')
      .notNull()
      .references(() => bookings.id),
    position: integer('position').notNull(),
    quantity: integer('quantity').notNull().default(1),
    // calibration
    instrumentName: text('instrument_name'),
    model: text('model'),
    serialNo: text('serial_no'),
    measuringRange: text('measuring_range'),
    accuracyClass: text('accuracy_class'),
    compulsory: boolean('compulsory'),
    intendedUse: text('intended_use'),
    // oil test
    sampleName: text('sample_name'),
    gradeCode: text('grade_code').references(() => oilGrades.code),
    specEdition: text('spec_edition'),
    /** The quality chosen when the grade's limits depend on it (winter / summer). */
    gradeVariant: text('grade_variant'),
    /** Marine fuels: the statutory sulphur limit the fuel must meet (global 0.50 %, ECA 0.10 %, or none with a scrubber). */
    sulphurRequirement: text('sulphur_requirement'),
    /** 燃油交付单 (bunker delivery note) number. */
    bdnNo: text('bdn_no'),
    sourceType: text('source_type'),
    sourceName: text('source_name'),
    samplingDate: date('sampling_date'),
    sealNo: text('seal_no'),
    packageCode: text('package_code').references(() => oilPackages.code),
    testItemCodes: text('test_item_codes').array(),
    // consultation
    topic: text('topic'),
    description: text('description'),
    participants: integer('participants'),
    /** Sample code / instrument label given at reception. */
    labelCode: text('label_code'),
    /** 样品状态 / 外观 on receipt, as the lab recorded it (printed on the report). */
    conditionOnReceipt: text('condition_on_receipt'),
  },
  (t) => [index('booking_items_booking_idx').on(t.bookingId, t.position), check('booking_items_quantity_positive', sql`${t.quantity} > 0`)],
);

/**
 * Uploaded documents. Stored outside public/ under random names; a row without booking is a draft of a booking form
 * still being reviewed (swept after a day).
 */
/** Binary content (PostgreSQL bytea); both drivers hand it over as a Buffer / Uint8Array. */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
});

/**
 * Document content when FILE_STORE=database (src/uploads/storage.ts): keyed by the random stored name the
 * attachments, report PDFs and equipment photos refer to, so backups (pg_dump) and streaming replicas carry the
 * documents with the rows, and every app host behind a load balancer can serve them.
 */
export const storedFiles = pgTable('stored_files', {
  storedName: text('stored_name').primaryKey(),
  content: bytea('content').notNull(),
  sizeBytes: integer('size_bytes').notNull(),
  createdAt: createdAt(),
});

export const attachments = pgTable(
  'attachments',
  {
    id: serial('id').primaryKey(),
    bookingId: integer('booking_id').references(() => bookings.id),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    ownerUserId: integer('owner_user_id')
      .notNull()
      .references(() => users.id),
    draftToken: text('draft_token'),
    /** instrument_list | previous_certificate | sample_photo | authorisation | correction | other | report_pdf */
    purpose: text('purpose').notNull(),
    originalName: text('original_name').notNull(),
    storedName: text('stored_name').notNull().unique(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    /** A quality need's document (submitted with the need or on its thread); such a row is never a draft. */
    needId: integer('need_id').references((): AnyPgColumn => needs.id),
    /** The thread message the document came with (null: attached when the need was submitted). */
    needMessageId: integer('need_message_id').references((): AnyPgColumn => needMessages.id),
    createdAt: createdAt(),
  },
  (t) => [index('attachments_booking_idx').on(t.bookingId), index('attachments_draft_idx').on(t.ownerUserId, t.draftToken), index('attachments_need_idx').on(t.needId)],
);

// ───────────────────────── notifications ─────────────────────────

/** In-app messages (站内信), written in the same transaction as the change they report. */
export const notifications = pgTable(
  'notifications',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    bookingId: integer('booking_id').references(() => bookings.id),
    title: text('title').notNull(),
    body: text('body').notNull(),
    link: text('link'),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.readAt, t.createdAt)],
);

// ───────────────────────── lab results and reports ─────────────────────────

/**
 * One result line: an oil test item of a sample (value, unit, the limit it was judged against, judgement) or one
 * instrument line of a calibration (conclusion, certificate, next due date, measurement points).
 */
/** A certificate's 检定/校准条件 as printed: place, temperature, humidity and the standards (as they stood that day). */
export interface CalibrationConditions {
  place: string;
  temperature: string;
  humidity: string;
  standards: { name: string; certificateNo: string; measuringRange: string; accuracy: string; validUntil: string }[];
}

export const results = pgTable(
  'results',
  {
    id: serial('id').primaryKey(),
    bookingId: integer('booking_id')
      .notNull()
      .references(() => bookings.id),
    bookingItemId: integer('booking_item_id')
      .notNull()
      .references(() => bookingItems.id),
    /** The report version these results are for: 1 for the first issue, n for the n-th (a revision's working copy until issued). */
    version: integer('version').notNull().default(1),
    // oil test
    testItemCode: text('test_item_code').references(() => oilTestItems.code),
    valueText: text('value_text'),
    valueNumber: doublePrecision('value_number'),
    unit: text('unit'),
    /** The limit as judged, kept as text with its source, so a later change of reference data never alters a result. */
    limitText: text('limit_text'),
    limitSource: text('limit_source'),
    /** pass | fail | no_limit */
    judgement: text('judgement'),
    /** auto: judged against a verified limit by the rule; tester: the tester judged (a criterion, or a limit still 待核实). */
    judgementBasis: text('judgement_basis'),
    // calibration
    /** 合格 pass | 不合格 fail | 校准 calibrated */
    conclusion: text('conclusion'),
    certificateNo: text('certificate_no'),
    nextDueDate: date('next_due_date'),
    points: jsonb('points'),
    /** Where and how it was verified or calibrated, frozen with the line: the standards used and the environment. */
    conditions: jsonb('conditions').$type<CalibrationConditions>(),
    remark: text('remark'),
  },
  (t) => [
    index('results_booking_idx').on(t.bookingId, t.version),
    uniqueIndex('results_line_uq').on(t.bookingId, t.version, t.bookingItemId, t.testItemCode),
    // /verify by the certificate number printed on a calibration certificate
    index('results_certificate_idx').on(t.certificateNo).where(sql`${t.certificateNo} IS NOT NULL`),
  ],
);

export const reportStatus = pgEnum('report_status', ['valid', 'replaced', 'revoked']);

export const reports = pgTable(
  'reports',
  {
    id: serial('id').primaryKey(),
    bookingId: integer('booking_id')
      .notNull()
      .references(() => bookings.id),
    /** e.g. NQI-2026-JL-000123; a revision keeps the number and raises the version. */
    number: text('number').notNull(),
    version: integer('version').notNull(),
    /** Printed on the report; with the number it proves the report at /verify. */
    verificationCode: text('verification_code').notNull(),
    /** Unguessable token behind the QR code. */
    verifyToken: text('verify_token').notNull().unique(),
    status: reportStatus('status').notNull().default('valid'),
    conclusion: text('conclusion').notNull(),
    /** Everything printed on the report, frozen at issue time. */
    content: jsonb('content').notNull(),
    testerId: integer('tester_id').references(() => users.id),
    verifierId: integer('verifier_id').references(() => users.id),
    approverId: integer('approver_id')
      .notNull()
      .references(() => users.id),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    pdfAttachmentId: integer('pdf_attachment_id').references(() => attachments.id),
    /** A signed PDF uploaded after issue waits here until an authorised signatory other than the uploader confirms it. */
    pendingPdfAttachmentId: integer('pending_pdf_attachment_id').references(() => attachments.id),
    pendingPdfBy: integer('pending_pdf_by').references(() => users.id),
    pendingPdfReason: text('pending_pdf_reason'),
    replacedById: integer('replaced_by_id'),
    revisionReason: text('revision_reason'),
    revokedReason: text('revoked_reason'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: integer('revoked_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('reports_number_version_uq').on(t.number, t.version),
    index('reports_booking_idx').on(t.bookingId, t.version),
  ],
);

/** The enterprise's evaluation of a completed booking: once per booking, five levels (好差评). */
export const evaluations = pgTable(
  'evaluations',
  {
    id: serial('id').primaryKey(),
    bookingId: integer('booking_id')
      .notNull()
      .unique()
      .references(() => bookings.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    /** 5 非常满意 … 1 非常不满意 */
    level: integer('level').notNull(),
    comment: text('comment').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [check('evaluations_level_range', sql`${t.level} BETWEEN 1 AND 5`)],
);

// ───────────────────────── signing ─────────────────────────

/**
 * Authorised signatories (授权签字人) of a node: the staff the node manager designates to approve and sign reports,
 * for every category or one. A grant is never edited: it is revoked and, if needed, granted again.
 */
export const signatories = pgTable(
  'signatories',
  {
    id: serial('id').primaryKey(),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    /** null: every service category of the node. */
    categoryCode: text('category_code').references(() => serviceCategories.code),
    validFrom: date('valid_from').notNull(),
    validUntil: date('valid_until'),
    grantedBy: integer('granted_by').references(() => users.id),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: integer('revoked_by').references(() => users.id),
  },
  (t) => [index('signatories_node_user_idx').on(t.nodeId, t.userId), check('signatories_range', sql`${t.validUntil} IS NULL OR ${t.validUntil} >= ${t.validFrom}`)],
);

/**
 * A node's measurement standards (计量标准): the reference equipment its verifications and calibrations are traced to,
 * each with its 计量标准考核证书 and the date that certificate runs out. A certificate names the standards it was
 * made with (JJF 1069 / JJG 1002): one whose certificate has run out, or that was retired, can no longer be named.
 */
export const measurementStandards = pgTable(
  'measurement_standards',
  {
    id: serial('id').primaryKey(),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    /** e.g. "0.05 级活塞式压力计标准装置". */
    name: text('name').notNull(),
    /** The 计量标准考核证书 number, e.g. "［2023］浙量标舟证字第 012 号". */
    certificateNo: text('certificate_no').notNull(),
    measuringRange: text('measuring_range').notNull(),
    /** 准确度等级 / 最大允许误差 / 不确定度, as the certificate states it. */
    accuracy: text('accuracy').notNull(),
    validUntil: date('valid_until').notNull(),
    /** The instrument categories it serves (the results form offers it for those). */
    categoryCodes: text('category_codes').array().notNull().default(sql`'{}'::text[]`),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    retiredBy: integer('retired_by').references(() => users.id),
  },
  (t) => [index('measurement_standards_node_idx').on(t.nodeId)],
);

export const revisionStatus = pgEnum('revision_status', ['entering', 'to_verify', 'verified', 'issued', 'withdrawn']);

/**
 * A correction of an issued report: new results go through the same path as the first issue (entered → verified by
 * another person → approved by an authorised signatory) before version n+1 is issued; until then version n stays valid.
 */
export const reportRevisions = pgTable(
  'report_revisions',
  {
    id: serial('id').primaryKey(),
    bookingId: integer('booking_id')
      .notNull()
      .references(() => bookings.id),
    reportNumber: text('report_number').notNull(),
    /** The version this revision becomes when issued. */
    version: integer('version').notNull(),
    status: revisionStatus('status').notNull().default('entering'),
    reason: text('reason').notNull(),
    openedBy: integer('opened_by')
      .notNull()
      .references(() => users.id),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    resultsBy: integer('results_by').references(() => users.id),
    resultsAt: timestamp('results_at', { withTimezone: true }),
    verifiedBy: integer('verified_by').references(() => users.id),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    conclusion: text('conclusion'),
    conclusionRemark: text('conclusion_remark'),
    reportId: integer('report_id').references(() => reports.id),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    index('report_revisions_booking_idx').on(t.bookingId),
    // One open revision per booking at a time.
    uniqueIndex('report_revisions_one_open_uq').on(t.bookingId).where(sql`${t.status} IN ('entering', 'to_verify', 'verified')`),
  ],
);

// ───────────────────────── fees (收费标准) ─────────────────────────

/** Fee rules shown with the price list: 强检免费 (since 2017-04-01), on-site conditions, urgent surcharge … */
export const feeRules = pgTable('fee_rules', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  text: text('text').notNull(),
  basis: text('basis').notNull(),
  kind: text('kind').notNull(),
  percentMin: integer('percent_min'),
  percentMax: integer('percent_max'),
  /** Only a rule with a published source is presented as official; the rest read 参考 / 待公布. */
  official: boolean('official').notNull(),
  effectiveFrom: date('effective_from').notNull(),
});

export const priceType = pgEnum('price_type', ['published', 'estimate', 'tbd', 'free', 'free_then_agreement', 'per_item']);

/**
 * The price list, effective-dated: a change is a new row from a date (the old row gets `effective_to`), so a booking
 * is always estimated with the prices in force when it was made. A node-specific row wins over the city-wide one.
 */
export const prices = pgTable(
  'prices',
  {
    id: serial('id').primaryKey(),
    /** service | oil_item | oil_package */
    targetKind: text('target_kind').notNull(),
    targetCode: text('target_code').notNull(),
    nodeId: integer('node_id').references(() => nodes.id),
    unit: text('unit').notNull(),
    /** In fen (分); null when the price is still to be published. */
    amountCents: integer('amount_cents'),
    amountMinCents: integer('amount_min_cents'),
    amountMaxCents: integer('amount_max_cents'),
    priceType: priceType('price_type').notNull(),
    official: boolean('official').notNull(),
    publisher: text('publisher'),
    basis: text('basis').notNull(),
    /** yes | conditional | no — whether 强检免费 can apply (calibration services). */
    compulsory: text('compulsory').notNull().default('no'),
    /** 加急: surcharge in percent where the node offers urgent service; null = not offered. */
    urgentPercent: integer('urgent_percent'),
    effectiveFrom: date('effective_from').notNull(),
    effectiveTo: date('effective_to'),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('prices_target_idx').on(t.targetKind, t.targetCode, t.effectiveFrom),
    check('prices_period', sql`${t.effectiveTo} IS NULL OR ${t.effectiveTo} > ${t.effectiveFrom}`),
    check('prices_amounts_nonneg', sql`coalesce(${t.amountCents}, 0) >= 0`),
  ],
);

export const paymentStatus = pgEnum('payment_status', ['unpaid', 'paid', 'waived']);

/**
 * A booking's fee: the estimate made at submission from the prices then in force (lines frozen), the amount the lab
 * confirms at acceptance (with its reason when it differs), and the payment recorded by staff (no online payment).
 */
export const bookingFees = pgTable('booking_fees', {
  bookingId: integer('booking_id')
    .primaryKey()
    .references(() => bookings.id),
  estimateCents: integer('estimate_cents'),
  /** Every line of the estimate as shown to the company (label, quantity, unit price, amount, basis, official). */
  estimateLines: jsonb('estimate_lines').notNull(),
  /** false when some line had no published price: "以受理时报价为准". */
  estimateComplete: boolean('estimate_complete').notNull(),
  urgent: boolean('urgent').notNull().default(false),
  confirmedCents: integer('confirmed_cents'),
  confirmedBy: integer('confirmed_by').references(() => users.id),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  adjustReason: text('adjust_reason'),
  paymentStatus: paymentStatus('payment_status').notNull().default('unpaid'),
  paidCents: integer('paid_cents'),
  paidOn: date('paid_on'),
  paymentMethod: text('payment_method'),
  paymentRecordedBy: integer('payment_recorded_by').references(() => users.id),
});

export const invoiceStatus = pgEnum('invoice_status', ['requested', 'issued', 'cancelled']);

/** An invoice request of a company for a booking, with the 电子发票 number once issued. */
export const invoiceRequests = pgTable(
  'invoice_requests',
  {
    id: serial('id').primaryKey(),
    bookingId: integer('booking_id')
      .notNull()
      .references(() => bookings.id),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    /** The company's 开票信息 as it was when requested. */
    title: text('title').notNull(),
    taxNo: text('tax_no').notNull(),
    addressPhone: text('address_phone').notNull().default(''),
    bankAccount: text('bank_account').notNull().default(''),
    amountCents: integer('amount_cents').notNull(),
    status: invoiceStatus('status').notNull().default('requested'),
    requestedBy: integer('requested_by')
      .notNull()
      .references(() => users.id),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    invoiceNo: text('invoice_no'),
    issuedBy: integer('issued_by').references(() => users.id),
    issuedAt: timestamp('issued_at', { withTimezone: true }),
  },
  (t) => [index('invoice_requests_booking_idx').on(t.bookingId), uniqueIndex('invoice_requests_one_open_uq').on(t.bookingId).where(sql`${t.status} <> 'cancelled'`)],
);

// ───────────────────────── what users read: service guides (办事指南) ─────────────────────────

/** A service's 办事指南 as users read it, all Chinese (from src/seed/data/service-guides.json; never a research note). */
export interface ServiceGuide {
  /** 用途与范围 */
  scope: string;
  /** 强检范围, in the words of the regulation; null when the service is not metrology. */
  compulsoryScope: string | null;
  /** 检定周期 (or 复校间隔) as a sentence; null when the service has none. */
  period: string | null;
  /** 办理流程, one step a line ("网上预约：…"). */
  process: string[];
  /** 需准备的材料 */
  materials: string[];
  /** 办结时限, as a sentence. */
  turnaround: string;
  /** 法律依据 */
  legalBasis: string[];
  /** 温馨提示 */
  notes: string[];
}
// ═════════════════════════ instrument ledger (计量器具台账), reminders, outbox, daily jobs ═════════════════════════
// One block, added by the ledger feature (issue 13). Partial/INCLUDE indexes are in the custom migration next to it.

/**
 * A company's instrument ledger: every measuring instrument it owns, its 强检 status and when it is next due. One
 * entry per (company, category, serial no.); the serial is compared in a normalised form (`serial_key`).
 */
export const instruments = pgTable(
  'instruments',
  {
    id: serial('id').primaryKey(),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    categoryCode: text('category_code')
      .notNull()
      .references(() => instrumentCategories.code),
    name: text('name').notNull(),
    model: text('model').notNull().default(''),
    /** 出厂编号 as entered. */
    serialNo: text('serial_no').notNull(),
    /** The serial as compared: full-width folded, upper-case, without spaces — "pg-001" and "ＰＧ－００１" are one instrument. */
    serialKey: text('serial_key').notNull(),
    manufacturer: text('manufacturer').notNull().default(''),
    measuringRange: text('measuring_range').notNull().default(''),
    accuracyClass: text('accuracy_class').notNull().default(''),
    department: text('department').notNull().default(''),
    location: text('location').notNull().default(''),
    /** 强制检定 and its use (trade | safety | medical | environment, per the category's rules). */
    compulsory: boolean('compulsory').notNull().default(false),
    compulsoryUse: text('compulsory_use'),
    /** periodic (周期检定) | limited_life (只做首次强制检定，限期使用、到期轮换: water and gas meters). */
    regime: text('regime').notNull().default('periodic'),
    /** The verification period, or for limited_life the use limit, in months. */
    periodMonths: integer('period_months'),
    /** in_use 在用 | stopped 停用 | sealed 封存 | scrapped 报废 */
    status: text('status').notNull().default('in_use'),
    lastCalibrationDate: date('last_calibration_date'),
    certificateNo: text('certificate_no'),
    /** pass 合格 | fail 不合格 | calibrated 校准 */
    conclusion: text('conclusion'),
    nextDueDate: date('next_due_date'),
    /** Where the due date comes from: certificate | period (computed) | use_limit | manual. */
    dueSource: text('due_source'),
    /** The certificate the entry was last updated from (a platform booking's report, version). */
    reportBookingId: integer('report_booking_id').references(() => bookings.id),
    reportVersion: integer('report_version'),
    createdBy: integer('created_by').references(() => users.id),
    updatedBy: integer('updated_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('instruments_serial_uq').on(t.enterpriseId, t.categoryCode, t.serialKey),
    // The ledger page filters by company and sorts by due date, name, serial or last date, or filters by department.
    index('instruments_enterprise_due_idx').on(t.enterpriseId, t.nextDueDate, t.id),
    index('instruments_enterprise_name_idx').on(t.enterpriseId, t.name, t.id),
    index('instruments_enterprise_serial_idx').on(t.enterpriseId, t.serialNo),
    index('instruments_enterprise_last_idx').on(t.enterpriseId, t.lastCalibrationDate),
    index('instruments_enterprise_department_idx').on(t.enterpriseId, t.department, t.nextDueDate),
    check('instruments_status_valid', sql`${t.status} IN ('in_use', 'stopped', 'sealed', 'scrapped')`),
    check('instruments_regime_valid', sql`${t.regime} IN ('periodic', 'limited_life')`),
    check('instruments_use_valid', sql`${t.compulsoryUse} IS NULL OR ${t.compulsoryUse} IN ('trade', 'safety', 'medical', 'environment')`),
    check('instruments_conclusion_valid', sql`${t.conclusion} IS NULL OR ${t.conclusion} IN ('pass', 'fail', 'calibrated')`),
    check('instruments_period_range', sql`${t.periodMonths} IS NULL OR ${t.periodMonths} BETWEEN 1 AND 240`),
  ],
);

/** A company's ledger settings: e-mail reminders are sent only when the company opted in. */
export const ledgerSettings = pgTable('ledger_settings', {
  enterpriseId: integer('enterprise_id')
    .primaryKey()
    .references(() => enterprises.id),
  emailReminders: boolean('email_reminders').notNull().default(false),
  updatedBy: integer('updated_by').references(() => users.id),
  updatedAt: updatedAt(),
});

/**
 * Reminders already sent: at most one per instrument, due date and threshold ('30' | '7' | '0' days before,
 * 'overdue'). The primary key makes the daily job idempotent whatever runs it twice.
 */
export const remindersSent = pgTable(
  'reminders_sent',
  {
    instrumentId: integer('instrument_id')
      .notNull()
      .references(() => instruments.id, { onDelete: 'cascade' }),
    dueDate: date('due_date').notNull(),
    threshold: text('threshold').notNull(),
    enterpriseId: integer('enterprise_id').notNull(),
    sentOn: date('sent_on').notNull(),
  },
  (t) => [primaryKey({ columns: [t.instrumentId, t.dueDate, t.threshold] }), index('reminders_sent_day_idx').on(t.sentOn)],
);

/** An uploaded XLSX ledger checked and waiting for the user's confirmation (preview); imported all at once or not at all. */
export const instrumentImports = pgTable(
  'instrument_imports',
  {
    id: serial('id').primaryKey(),
    /** Random, in the preview's URL. */
    token: text('token').notNull().unique(),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    fileName: text('file_name').notNull(),
    /** Every row as read, with its problems: [{ line, values, errors, duplicateOf }]. */
    rows: jsonb('rows').notNull(),
    total: integer('total').notNull(),
    valid: integer('valid').notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }),
    importedCount: integer('imported_count'),
    createdAt: createdAt(),
  },
  (t) => [index('instrument_imports_user_idx').on(t.userId, t.createdAt)],
);

/** A user's secret calendar feed (iCalendar) of the company's bookings and due dates; only the token's hash is kept. */
export const calendarFeeds = pgTable(
  'calendar_feeds',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('calendar_feeds_one_active_uq').on(t.userId).where(sql`${t.revokedAt} IS NULL`)],
);

/**
 * Messages to the outside world (e-mail, webhooks), written in the business transaction and delivered after commit by
 * the outbox worker: claimed with FOR UPDATE SKIP LOCKED, retried with exponential back-off, failures kept visible.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    /** pending | sent | failed (gave up after max_attempts) */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** 10 attempts at 1, 2, 4 … minutes: about 8.5 hours before giving up. */
    maxAttempts: integer('max_attempts').notNull().default(10),
    /** When it may next be tried; while a worker holds it, the end of that worker's lease. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('outbox_status_idx').on(t.status, t.createdAt),
    check('outbox_kind_valid', sql`${t.kind} IN ('email', 'webhook')`),
    check('outbox_status_valid', sql`${t.status} IN ('pending', 'sent', 'failed')`),
  ],
);

/** Daily jobs: one row per job and day, taken with an insert-on-conflict in the job's own transaction. */
export const jobRuns = pgTable(
  'job_runs',
  {
    job: text('job').notNull(),
    day: date('day').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    stats: jsonb('stats'),
  },
  (t) => [primaryKey({ columns: [t.job, t.day] })],
);

// ═════════════════════════ open sharing (开放共享, issue 17) — shared equipment booked by the hour ═════════════════════════
// Hand-written SQL in the custom migration `equipment_no_overlap`: the btree_gist extension and the exclusion
// constraint that makes a double booking impossible whatever the code does, and the one row of `sharing_rules`.

export const equipmentStatus = pgEnum('equipment_status', ['available', 'maintenance', 'retired']);

/** Cents per hour by user category (park | other | research) and operating mode (self | assisted). */
export type EquipmentRates = Partial<Record<'park' | 'other' | 'research', Partial<Record<'self' | 'assisted', number>>>>;

/** An instrument a node shares (or a company offers, once the platform approved it), booked by the hour. */
export const equipment = pgTable(
  'equipment',
  {
    id: serial('id').primaryKey(),
    /** Asset number printed on the instrument, e.g. "ZS-GX-0003". */
    code: text('code').notNull().unique(),
    /** The node that runs the bookings (approval, check-in, billing). */
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    /** Offered by a company: the platform approves it before it is listed (`review`). */
    ownerEnterpriseId: integer('owner_enterprise_id').references(() => enterprises.id),
    review: text('review').notNull().default('approved'),
    name: text('name').notNull(),
    category: text('category').notNull(),
    model: text('model').notNull().default(''),
    maker: text('maker').notNull().default(''),
    specs: jsonb('specs').$type<{ label: string; value: string }[]>().notNull().default([]),
    location: text('location').notNull().default(''),
    /** What it is used for: test methods and standards. */
    methods: text('methods').array().notNull().default(sql`'{}'::text[]`),
    description: text('description').notNull().default(''),
    /** self (机时自主使用, needs a training record) | assisted (委托操作 by node staff). */
    modes: text('modes').array().notNull(),
    rates: jsonb('rates').$type<EquipmentRates>().notNull(),
    /** Opening hours on the node's working days, on the 30-minute grid ('08:30' … '17:00'). */
    openFrom: text('open_from').notNull().default('08:30'),
    openUntil: text('open_until').notNull().default('17:00'),
    minNoticeHours: integer('min_notice_hours').notNull().default(24),
    maxHours: integer('max_hours').notNull().default(8),
    horizonDays: integer('horizon_days').notNull().default(30),
    /** A booking not checked in this many minutes after its start is a no-show. */
    noShowMinutes: integer('no_show_minutes').notNull().default(30),
    /** actual: hours used (rounded up to the half hour) | booked: the booked hours. */
    billing: text('billing').notNull().default('actual'),
    /** Bookings of users with a valid training record are confirmed without waiting for the node. */
    autoApprove: boolean('auto_approve').notNull().default(false),
    status: equipmentStatus('status').notNull().default('available'),
    statusNote: text('status_note').notNull().default(''),
    /** Photo stored under UPLOAD_DIR by a random name. */
    photoName: text('photo_name'),
    photoMime: text('photo_mime'),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('equipment_node_idx').on(t.nodeId, t.sortOrder),
    check('equipment_hours', sql`${t.openFrom} < ${t.openUntil}`),
    check('equipment_rules_positive', sql`${t.minNoticeHours} >= 0 AND ${t.maxHours} > 0 AND ${t.horizonDays} > 0 AND ${t.noShowMinutes} > 0`),
  ],
);

export const equipmentBookingStatus = pgEnum('equipment_booking_status', ['requested', 'approved', 'checked_in', 'checked_out', 'no_show', 'cancelled', 'rejected']);

/**
 * Time on an instrument: a company's booking, or a maintenance block (kind = maintenance, no company). Rows that
 * hold the instrument can never overlap — an exclusion constraint (custom migration) refuses it.
 */
export const equipmentBookings = pgTable(
  'equipment_bookings',
  {
    id: serial('id').primaryKey(),
    /** YQ-20261008-0001 (maintenance: WX-…). */
    number: text('number').notNull().unique(),
    kind: text('kind').notNull().default('booking'),
    equipmentId: integer('equipment_id')
      .notNull()
      .references(() => equipment.id),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    /** The company's park when it booked (statistics by park). */
    parkId: integer('park_id').references(() => parks.id),
    /** park | other | research, frozen at booking time with the rate. */
    userCategory: text('user_category'),
    mode: text('mode'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    status: equipmentBookingStatus('status').notNull(),
    purpose: text('purpose').notNull().default(''),
    sampleNote: text('sample_note').notNull().default(''),
    contactName: text('contact_name').notNull().default(''),
    contactMobile: text('contact_mobile').notNull().default(''),
    /** The price frozen at booking time: cents per hour, the billing rule, and the estimate for the booked hours. */
    rateCents: integer('rate_cents'),
    billing: text('billing'),
    estimateCents: integer('estimate_cents'),
    checkedInAt: timestamp('checked_in_at', { withTimezone: true }),
    checkedOutAt: timestamp('checked_out_at', { withTimezone: true }),
    chargedMinutes: integer('charged_minutes'),
    amountCents: integer('amount_cents'),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** Why it was rejected, cancelled or marked a no-show; a maintenance block's reason. */
    closeReason: text('close_reason'),
    createdBy: integer('created_by').references(() => users.id),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('equipment_bookings_equipment_idx').on(t.equipmentId, t.startsAt),
    index('equipment_bookings_node_idx').on(t.nodeId, t.status, t.startsAt),
    index('equipment_bookings_enterprise_idx').on(t.enterpriseId, t.startsAt),
    uniqueIndex('equipment_bookings_idempotency_uq').on(t.enterpriseId, t.idempotencyKey),
    check('equipment_bookings_range', sql`${t.endsAt} > ${t.startsAt}`),
    check(
      'equipment_bookings_kind',
      sql`(${t.kind} = 'maintenance' AND ${t.enterpriseId} IS NULL) OR (${t.kind} = 'booking' AND ${t.enterpriseId} IS NOT NULL AND ${t.mode} IS NOT NULL AND ${t.rateCents} IS NOT NULL AND ${t.userCategory} IS NOT NULL)`,
    ),
  ],
);

/** A user's training on one instrument: 机时自主使用 needs one in force on the day of use. */
export const equipmentTrainings = pgTable(
  'equipment_trainings',
  {
    id: serial('id').primaryKey(),
    equipmentId: integer('equipment_id')
      .notNull()
      .references(() => equipment.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    trainedOn: date('trained_on').notNull(),
    validUntil: date('valid_until'),
    trainer: text('trainer').notNull().default(''),
    recordedBy: integer('recorded_by').references(() => users.id),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: integer('revoked_by').references(() => users.id),
  },
  (t) => [
    uniqueIndex('equipment_trainings_live_uq').on(t.equipmentId, t.userId).where(sql`${t.revokedAt} IS NULL`),
    index('equipment_trainings_user_idx').on(t.userId),
    check('equipment_trainings_range', sql`${t.validUntil} IS NULL OR ${t.validUntil} >= ${t.trainedOn}`),
  ],
);

/** A company's self-booking suspended after repeated no-shows (the rule in `sharing_rules`); lifted early only by the platform. */
export const equipmentSuspensions = pgTable(
  'equipment_suspensions',
  {
    id: serial('id').primaryKey(),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    violations: integer('violations').notNull(),
    reason: text('reason').notNull(),
    liftedAt: timestamp('lifted_at', { withTimezone: true }),
    liftedBy: integer('lifted_by').references(() => users.id),
    liftReason: text('lift_reason'),
    createdAt: createdAt(),
  },
  (t) => [index('equipment_suspensions_enterprise_idx').on(t.enterpriseId, t.endsAt)],
);

/** The platform's sharing rules (one row): N no-shows within D days suspend self-booking for S days. */
export const sharingRules = pgTable(
  'sharing_rules',
  {
    id: integer('id').primaryKey().default(1),
    noShowLimit: integer('no_show_limit').notNull().default(3),
    windowDays: integer('window_days').notNull().default(90),
    suspensionDays: integer('suspension_days').notNull().default(30),
    updatedBy: integer('updated_by').references(() => users.id),
    updatedAt: updatedAt(),
  },
  (t) => [check('sharing_rules_one_row', sql`${t.id} = 1`), check('sharing_rules_positive', sql`${t.noShowLimit} > 0 AND ${t.windowDays} > 0 AND ${t.suspensionDays} > 0`)],
);
// ═════════════════════════ end of open sharing ═════════════════════════

// ───────────────────────── what users read: calendar and service windows (issue 12, part B) ─────────────────────────

export const calendarDayKind = pgEnum('calendar_day_kind', ['holiday', 'workday']);

/**
 * A year's official arrangement (国务院办公厅 notice) entered by the platform admin: the holidays (放假) and the
 * make-up workdays (调休上班). A year with rows here overrides the calendar package for that year; entering a year
 * again replaces all its rows. `year` is the notice's year (a 元旦 block may start on 12-31 of the year before).
 */
export const calendarDays = pgTable(
  'calendar_days',
  {
    date: date('date').primaryKey(),
    kind: calendarDayKind('kind').notNull(),
    /** The holiday the day belongs to: 春节, 国庆节 … */
    name: text('name').notNull(),
    year: integer('year').notNull(),
    /** Where it came from, as the admin named it (the notice's number, 国办发明电〔2026〕…). */
    source: text('source').notNull(),
    enteredBy: integer('entered_by')
      .notNull()
      .references(() => users.id),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('calendar_days_year_idx').on(t.year)],
);

/**
 * A node-service's own booking windows per weekday (1 = Monday … 7 = Sunday), e.g. the oil lab's 7×24 sample
 * reception: day and night windows every day, holidays included. A node-service without rows keeps the half-day
 * windows (上午/下午) on working days. The window key `code` is its time span "HH:MM-HH:MM", so a booking's window
 * reads the same wherever it is shown; capacity is taken per (node-service, date, code) as for every window.
 */
export const nodeServiceWindows = pgTable(
  'node_service_windows',
  {
    id: serial('id').primaryKey(),
    nodeServiceId: integer('node_service_id')
      .notNull()
      .references(() => nodeServices.id),
    weekday: integer('weekday').notNull(),
    code: text('code').notNull(),
    label: text('label').notNull(),
    capacity: integer('capacity').notNull(),
    /** Open on statutory holidays (法定节假日) too; otherwise the window closes on them. */
    onHolidays: boolean('on_holidays').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('node_service_windows_uq').on(t.nodeServiceId, t.weekday, t.code),
    check('node_service_windows_weekday', sql`${t.weekday} BETWEEN 1 AND 7`),
    check('node_service_windows_capacity', sql`${t.capacity} >= 0`),
    check('node_service_windows_code', sql`${t.code} ~ '^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$'`),
  ],
);

// ───────────────────────── open API and webhooks ─────────────────────────

/**
 * API keys: owned by a company, a node or the platform; the secret is shown once and only its SHA-256 is stored
 * (a key is 32 random bytes, so a fast hash is enough). Scopes: read | book | lab. Revoked keys answer 401.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    /** The first characters of the key (shown in lists so a key can be recognised, never enough to use it). */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    /** company | node | platform */
    ownerType: text('owner_type').notNull(),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    nodeId: integer('node_id').references(() => nodes.id),
    scopes: text('scopes').array().notNull(),
    /** The user who created it: the API acts in that user's name (audit) within the key's scope. */
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    /** Requests per minute allowed for this key. */
    rateLimit: integer('rate_limit').notNull().default(120),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('api_keys_enterprise_idx').on(t.enterpriseId),
    index('api_keys_node_idx').on(t.nodeId),
    check(
      'api_keys_owner_matches',
      sql`(${t.ownerType} = 'company' AND ${t.enterpriseId} IS NOT NULL AND ${t.nodeId} IS NULL)
       OR (${t.ownerType} = 'node' AND ${t.nodeId} IS NOT NULL AND ${t.enterpriseId} IS NULL)
       OR (${t.ownerType} = 'platform' AND ${t.enterpriseId} IS NULL AND ${t.nodeId} IS NULL)`,
    ),
  ],
);

/** Webhook subscriptions of a company or a node: where to, which events, and the signing secret. */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: serial('id').primaryKey(),
    ownerType: text('owner_type').notNull(),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    nodeId: integer('node_id').references(() => nodes.id),
    url: text('url').notNull(),
    events: text('events').array().notNull(),
    secret: text('secret').notNull(),
    active: boolean('active').notNull().default(true),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_subscriptions_enterprise_idx').on(t.enterpriseId),
    index('webhook_subscriptions_node_idx').on(t.nodeId),
    check(
      'webhook_subscriptions_owner_matches',
      sql`(${t.ownerType} = 'company' AND ${t.enterpriseId} IS NOT NULL AND ${t.nodeId} IS NULL)
       OR (${t.ownerType} = 'node' AND ${t.nodeId} IS NOT NULL AND ${t.enterpriseId} IS NULL)`,
    ),
  ],
);

/** One line per delivery attempt of a webhook (the outbox holds the message; this is its log). */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subscriptionId: integer('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id),
    outboxId: bigint('outbox_id', { mode: 'number' }),
    eventId: text('event_id').notNull(),
    event: text('event').notNull(),
    attempt: integer('attempt').notNull(),
    /** The receiver's HTTP status; null when it could not be reached. */
    responseStatus: integer('response_status'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.createdAt)],
);

// ───────────────────────── company workspace and the walk-in window ─────────────────────────

/** A company admin's invitation of a colleague: a one-time link (only its SHA-256 is stored), 7 days, single use. */
export const invitations = pgTable(
  'invitations',
  {
    id: serial('id').primaryKey(),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    tokenHash: text('token_hash').notNull().unique(),
    mobile: text('mobile').notNull(),
    email: text('email'),
    invitedBy: integer('invited_by')
      .notNull()
      .references(() => users.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    userId: integer('user_id').references(() => users.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('invitations_enterprise_idx').on(t.enterpriseId, t.createdAt)],
);

export const joinRequestStatus = pgEnum('join_request_status', ['pending', 'approved', 'refused']);

/** A registration whose credit code already exists: the company's admins approve (an account is created) or refuse. */
export const joinRequests = pgTable(
  'join_requests',
  {
    id: serial('id').primaryKey(),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    name: text('name').notNull(),
    mobile: text('mobile').notNull(),
    email: text('email'),
    passwordHash: text('password_hash').notNull(),
    status: joinRequestStatus('status').notNull().default('pending'),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    userId: integer('user_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('join_requests_enterprise_idx').on(t.enterpriseId, t.status),
    // one pending request per mobile: a second sign-up with the same mobile waits for the first answer
    uniqueIndex('join_requests_pending_mobile_uq').on(t.mobile).where(sql`${t.status} = 'pending'`),
  ],
);

/** One-time secrets sent or printed for an account: password reset links and window claim codes (SHA-256 only). */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: serial('id').primaryKey(),
    /** reset (a user's password) | claim (an unowned company, printed on the window receipt) */
    purpose: text('purpose').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: integer('user_id').references(() => users.id),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    createdBy: integer('created_by').references(() => users.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('account_tokens_enterprise_idx').on(t.enterpriseId),
    check('account_tokens_target', sql`(${t.purpose} = 'reset' AND ${t.userId} IS NOT NULL) OR (${t.purpose} = 'claim' AND ${t.enterpriseId} IS NOT NULL)`),
  ],
);

/** A walk-in at a node's window: who came for which company, and the staff member who served them. */
export const windowCases = pgTable(
  'window_cases',
  {
    id: serial('id').primaryKey(),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    staffUserId: integer('staff_user_id')
      .notNull()
      .references(() => users.id),
    visitorName: text('visitor_name').notNull(),
    visitorMobile: text('visitor_mobile').notNull(),
    /** 证件后四位 only: enough to check who signs the receipt, nothing more kept. */
    visitorIdLast4: text('visitor_id_last4').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [index('window_cases_node_idx').on(t.nodeId, t.openedAt), index('window_cases_enterprise_idx').on(t.enterpriseId)],
);

export const queueTicketStatus = pgEnum('queue_ticket_status', ['waiting', 'called', 'served', 'no_show']);

/** 取号: a walk-in queue ticket at a node, numbered per node and day. */
export const queueTickets = pgTable(
  'queue_tickets',
  {
    id: serial('id').primaryKey(),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    day: date('day').notNull(),
    number: integer('number').notNull(),
    /** The service category the visitor came for (计量 / 检验检测 …): its code. */
    categoryCode: text('category_code').notNull(),
    status: queueTicketStatus('status').notNull().default('waiting'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    calledAt: timestamp('called_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    calledBy: integer('called_by').references(() => users.id),
  },
  (t) => [uniqueIndex('queue_tickets_number_uq').on(t.nodeId, t.day, t.number), index('queue_tickets_node_day_idx').on(t.nodeId, t.day, t.status)],
);

// ───────────────────────── whole-chain service (一件事) ─────────────────────────

/**
 * A bundle (套餐) of services across pillars, one row per version: editing a bundle writes a new version with the same
 * code and retires the old one, so a chain request keeps reading the version it was filed under.
 */
export const bundles = pgTable(
  'bundles',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    version: integer('version').notNull().default(1),
    name: text('name').notNull(),
    summary: text('summary').notNull().default(''),
    /** Offered for new requests (false: retired by a newer version, or deactivated). */
    active: boolean('active').notNull().default(true),
    /** The newest version of its code (only one per code). */
    current: boolean('current').notNull().default(true),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('bundles_code_version_idx').on(t.code, t.version), uniqueIndex('bundles_current_idx').on(t.code).where(sql`${t.current}`)],
);

export const bundleSteps = pgTable(
  'bundle_steps',
  {
    id: serial('id').primaryKey(),
    bundleId: integer('bundle_id')
      .notNull()
      .references(() => bundles.id),
    /** 1, 2, 3 … the order steps are shown in. */
    position: integer('position').notNull(),
    title: text('title').notNull(),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id),
    /** Positions of the steps that must be completed first. */
    dependsOn: integer('depends_on').array().notNull().default(sql`'{}'::integer[]`),
  },
  (t) => [uniqueIndex('bundle_steps_position_idx').on(t.bundleId, t.position)],
);

export const chainStatus = pgEnum('chain_status', ['open', 'completed', 'cancelled']);

/** One request for a whole chain (一件事): one number, linked bookings, one rating. */
export const chainRequests = pgTable(
  'chain_requests',
  {
    id: serial('id').primaryKey(),
    number: text('number').notNull().unique(),
    bundleId: integer('bundle_id')
      .notNull()
      .references(() => bundles.id),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    parkId: integer('park_id').references(() => parks.id),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    status: chainStatus('status').notNull().default('open'),
    contactName: text('contact_name').notNull(),
    contactMobile: text('contact_mobile').notNull(),
    description: text('description').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    ratingLevel: integer('rating_level'),
    ratingComment: text('rating_comment'),
    ratedAt: timestamp('rated_at', { withTimezone: true }),
    createdAt: createdAt(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('chain_requests_idempotency_idx').on(t.enterpriseId, t.idempotencyKey),
    index('chain_requests_enterprise_idx').on(t.enterpriseId),
    check('chain_requests_rating_range', sql`${t.ratingLevel} IS NULL OR ${t.ratingLevel} BETWEEN 1 AND 5`),
  ],
);

/** waiting: 待前序完成; ready: predecessors done, not yet booked (待排期); booked: its booking carries the stage. */
export const chainStepState = pgEnum('chain_step_state', ['waiting', 'ready', 'booked']);

export const chainSteps = pgTable(
  'chain_steps',
  {
    id: serial('id').primaryKey(),
    chainId: integer('chain_id')
      .notNull()
      .references(() => chainRequests.id),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id),
    nodeId: integer('node_id')
      .notNull()
      .references(() => nodes.id),
    dependsOn: integer('depends_on').array().notNull().default(sql`'{}'::integer[]`),
    state: chainStepState('state').notNull(),
    bookingId: integer('booking_id').references(() => bookings.id),
    /** The step's form (what the booking is made of when it is scheduled later). */
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    readyAt: timestamp('ready_at', { withTimezone: true }),
    reroutes: integer('reroutes').notNull().default(0),
  },
  (t) => [uniqueIndex('chain_steps_position_idx').on(t.chainId, t.position), index('chain_steps_booking_idx').on(t.bookingId)],
);

// ───────────────────────── quality needs and experts (质量需求 / 专家库) ─────────────────────────

/** An expert's profile in the pool: an outside expert (role expert) or a node's staff member. */
export const experts = pgTable('experts', {
  id: serial('id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .unique()
    .references(() => users.id),
  organisation: text('organisation').notNull(),
  /** Need types the expert answers (技术难题、标准制修订 …). */
  fields: text('fields').array().notNull().default(sql`'{}'::text[]`),
  /** Subject tags matched against a need's text (压力、燃料油、ISO 9001 …). */
  tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  /** 资质: 注册计量师、审核员 … */
  qualifications: text('qualifications').array().notNull().default(sql`'{}'::text[]`),
  available: boolean('available').notNull().default(true),
  /** 暂停接单 until this day (inclusive); from the next day the expert takes needs again. Null: paused until resumed. */
  pausedUntil: date('paused_until'),
  /** Open needs the expert takes at most at once. */
  maxLoad: integer('max_load').notNull().default(4),
  /** Open needs any expert may take from the pool (抢单) when true. */
  poolAllowed: boolean('pool_allowed').notNull().default(true),
  createdAt: createdAt(),
});

export const needStatus = pgEnum('need_status', ['submitted', 'assigned', 'answering', 'resolved', 'rated', 'closed']);

export const needs = pgTable(
  'needs',
  {
    id: serial('id').primaryKey(),
    number: text('number').notNull().unique(),
    /** The company (null for a park's own need). */
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    parkId: integer('park_id').references(() => parks.id),
    submittedBy: integer('submitted_by')
      .notNull()
      .references(() => users.id),
    type: text('type').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    preferredWay: text('preferred_way').notNull(),
    status: needStatus('status').notNull().default('submitted'),
    expertId: integer('expert_id').references(() => experts.id),
    /** First answer due (working days from submission). */
    dueDate: date('due_date').notNull(),
    firstAnswerAt: timestamp('first_answer_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolution: text('resolution'),
    /** Bundle (套餐) code the expert proposes: the need turns into a chain request in one step. */
    proposedBundle: text('proposed_bundle'),
    /** Service codes the expert (or coordinator) proposes: the company books them as separate single bookings. */
    proposedServices: text('proposed_services').array().notNull().default(sql`'{}'::text[]`),
    ratingLevel: integer('rating_level'),
    ratingComment: text('rating_comment'),
    closedReason: text('closed_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('needs_enterprise_idx').on(t.enterpriseId),
    index('needs_park_idx').on(t.parkId),
    index('needs_expert_idx').on(t.expertId, t.status),
    check('needs_rating_range', sql`${t.ratingLevel} IS NULL OR ${t.ratingLevel} BETWEEN 1 AND 5`),
  ],
);

export const needMessages = pgTable(
  'need_messages',
  {
    id: serial('id').primaryKey(),
    needId: integer('need_id')
      .notNull()
      .references(() => needs.id),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('need_messages_need_idx').on(t.needId, t.id)],
);

/** Single bookings a need was turned into (the company accepted the proposed services): one row per booking. */
export const needBookings = pgTable(
  'need_bookings',
  {
    bookingId: integer('booking_id')
      .primaryKey()
      .references(() => bookings.id),
    needId: integer('need_id')
      .notNull()
      .references(() => needs.id),
    createdAt: createdAt(),
  },
  (t) => [index('need_bookings_need_idx').on(t.needId)],
);

/** A transaction id (xid8), read and compared as text: only SQL uses it (src/http/private-pages.ts). */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * What changed, per scope, for the signed-in pages kept in memory (src/http/private-pages.ts). Written only by the
 * triggers of drizzle/0026_page_changes.sql, in the writer's transaction; pruned by the housekeeping.
 */
export const pageChanges = pgTable(
  'page_changes',
  {
    scope: text('scope').notNull(),
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [index('page_changes_scope_xid').on(t.scope, t.xid), index('page_changes_xid').on(t.xid)],
);
