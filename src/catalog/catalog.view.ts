/** Labels of the catalog: node kinds and how a service is delivered. */
export const NODE_KIND_LABELS = { centre: '市级中心', lab: '专业实验室', station: '园区服务站' } as const;

export const DELIVERY_MODE_LABELS: Record<string, string> = {
  send_in: '送检',
  on_site: '上门服务',
  online: '线上咨询',
};

/** Booking kinds as the admin pages name them. */
export const BOOKING_KIND_LABELS = { calibration: '计量检定/校准', oil_test: '油品检测', consultation: '咨询' } as const;

export const catalogViewLabels = { nodeKinds: NODE_KIND_LABELS, deliveryModes: DELIVERY_MODE_LABELS };
