import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
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
    /** 大字版: larger text and higher contrast on every page (适老化, GB/T 37668), kept per user. */
    largeText: boolean('large_text').notNull().default(false),
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
    /** The enterprise's evaluation (1–5), copied here so statistics read one table. */
    evaluationLevel: integer('evaluation_level'),
    idempotencyKey: text('idempotency_key').notNull(),
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
  },
  (t) => [index('booking_items_booking_idx').on(t.bookingId, t.position), check('booking_items_quantity_positive', sql`${t.quantity} > 0`)],
);

/**
 * Uploaded documents. Stored outside public/ under random names; a row without booking is a draft of a booking form
 * still being reviewed (swept after a day).
 */
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
    createdAt: createdAt(),
  },
  (t) => [index('attachments_booking_idx').on(t.bookingId), index('attachments_draft_idx').on(t.ownerUserId, t.draftToken)],
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
    remark: text('remark'),
  },
  (t) => [
    index('results_booking_idx').on(t.bookingId, t.version),
    uniqueIndex('results_line_uq').on(t.bookingId, t.version, t.bookingItemId, t.testItemCode),
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
