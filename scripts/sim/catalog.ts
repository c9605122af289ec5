import type { IncidentCategory } from '../../shared/incident.ts';
import type { Camera } from '../../shared/camera.ts';
import type { VideoAlertType } from '../../shared/video-alert.ts';
import type { StreamName } from './rates.ts';

/**
 * What the centre actually receives, in the words it arrives in. `{p}` is the place (community or
 * crossing). Titles are what a hotline operator or grid inspector would type.
 */
export type Template = { category: IncidentCategory; titles: string[]; details: string[] };

const T = (category: IncidentCategory, titles: string[], details: string[]): Template => ({
  category,
  titles,
  details,
});

export const CASE_TEMPLATES: Template[] = [
  T(
    'infrastructure',
    [
      '{p}井盖缺失',
      '{p}井盖破损松动',
      '{p}路灯不亮',
      '{p}人行道砖破损',
      '{p}供水管道漏水',
      '{p}雨水箅子堵塞',
    ],
    [
      '行人反映存在安全隐患，请尽快处置。',
      '已设置临时警示，需权属单位维修。',
      '夜间通行不便，居民多次反映。',
    ],
  ),
  T(
    'environment',
    ['{p}暴露垃圾', '{p}渣土遗撒', '{p}夜间施工噪音扰民', '{p}餐饮油烟扰民', '{p}垃圾桶满溢', '{p}焚烧落叶'],
    ['居民来电反映，影响正常生活。', '网格员巡查发现，需环卫部门清运。', '气味较大，请核实处理。'],
  ),
  T(
    'public_order',
    ['{p}占道经营', '{p}无照游商', '{p}乱贴小广告', '{p}群租房安全隐患', '{p}违规户外广告'],
    ['影响行人通行，请城管执法处置。', '多次劝导无效，需联合执法。'],
  ),
  T(
    'traffic',
    ['{p}违章停车堵塞消防通道', '{p}共享单车乱停放', '{p}信号灯故障', '{p}道路拥堵'],
    ['早高峰车辆排队较长。', '占用消防通道，存在安全隐患。', '信号灯常亮红灯，需交管部门维修。'],
  ),
  T(
    'flood',
    ['{p}路面积水', '{p}地下室渗水', '{p}小区内涝积水'],
    ['积水约 10 厘米，行人绕行。', '排水不畅，请排水集团处置。'],
  ),
  T(
    'other',
    ['{p}供暖不热咨询', '{p}物业服务投诉', '{p}宠物扰民', '{p}政策咨询'],
    ['已直接答复。', '转属地街道核实。'],
  ),
];

/** Weights of case categories per stream: grid inspectors find things, residents complain of others. */
export const CASE_WEIGHTS: Record<
  Exclude<StreamName, 'video' | 'emergency'>,
  readonly (readonly [IncidentCategory, number])[]
> = {
  appeal: [
    ['environment', 30],
    ['infrastructure', 22],
    ['public_order', 18],
    ['traffic', 14],
    ['flood', 4],
    ['other', 12],
  ],
  community: [
    ['environment', 30],
    ['infrastructure', 30],
    ['public_order', 20],
    ['other', 20],
  ],
  grid: [
    ['infrastructure', 40],
    ['environment', 30],
    ['public_order', 22],
    ['traffic', 8],
  ],
};

export const EMERGENCY_TEMPLATES: Template[] = [
  T(
    'gas_leak',
    ['{p}燃气泄漏', '{p}燃气管道破损泄漏', '{p}餐馆液化气泄漏'],
    ['现场有明显燃气味，已疏散部分居民。', '施工挖断中压燃气管道。'],
  ),
  T(
    'fire',
    ['{p}火情', '{p}居民楼起火', '{p}农贸市场火情', '{p}电动自行车充电起火'],
    ['现场浓烟较大，有人员被困可能。', '119 已出警，请属地配合疏散。'],
  ),
  T(
    'flood',
    ['{p}严重积水', '{p}下凹式立交桥积水', '{p}地铁口倒灌'],
    ['积水深约 50 厘米，有车辆被困。', '强降雨持续，积水仍在上涨。'],
  ),
  T('hazmat', ['{p}危化品运输车泄漏', '{p}实验室化学品泄漏'], ['有刺激性气味，请环保、消防到场。']),
  T('crowd', ['{p}人员大量聚集', '{p}大型活动散场拥挤'], ['人流密集，存在踩踏风险。']),
  T('infrastructure', ['{p}路面塌陷', '{p}供水主管爆裂'], ['塌陷面积约 10 平方米，已围挡。']),
];

export const EMERGENCY_WEIGHTS: readonly (readonly [IncidentCategory, number])[] = [
  ['fire', 30],
  ['gas_leak', 20],
  ['flood', 18],
  ['infrastructure', 14],
  ['hazmat', 8],
  ['crowd', 10],
];

export const SOURCES: Record<Exclude<StreamName, 'video'>, readonly string[]> = {
  appeal: ['hotline-12345', 'hotline-12345', 'hotline-12345', 'hotline-96181'],
  community: ['community-station'],
  grid: ['grid-app'],
  emergency: ['emergency-110', 'emergency-119', 'hotline-12345'],
};

/** Who else calls in about the same thing minutes later. */
export const FOLLOW_UP_SOURCES = ['hotline-12345', 'grid-app', 'emergency-110', 'community-station'];

/** Alert types a camera of each kind typically raises. */
export const ALERTS_BY_CAMERA: Record<Camera['kind'], readonly (readonly [VideoAlertType, number])[]> = {
  road: [
    ['road_occupation', 45],
    ['waterlogging', 15],
    ['crowd', 10],
    ['illegal_dumping', 10],
    ['smoke', 5],
    ['other', 15],
  ],
  community: [
    ['illegal_dumping', 35],
    ['intrusion', 20],
    ['smoke', 10],
    ['road_occupation', 20],
    ['other', 15],
  ],
  public_space: [
    ['crowd', 35],
    ['intrusion', 20],
    ['illegal_dumping', 20],
    ['other', 25],
  ],
  river: [
    ['waterlogging', 35],
    ['illegal_dumping', 30],
    ['intrusion', 25],
    ['other', 10],
  ],
  market: [
    ['crowd', 40],
    ['road_occupation', 25],
    ['smoke', 15],
    ['fire', 5],
    ['other', 15],
  ],
};

/** The camera alert that corroborates an incident of this category (inverse of ALERT_MATCHES). */
export const ALERT_FOR_CATEGORY: Partial<Record<IncidentCategory, VideoAlertType>> = {
  fire: 'fire',
  gas_leak: 'smoke',
  hazmat: 'smoke',
  environment: 'illegal_dumping',
  crowd: 'crowd',
  public_order: 'crowd',
  traffic: 'road_occupation',
  infrastructure: 'road_occupation',
  flood: 'waterlogging',
};

export function fill(template: string, place: string): string {
  return template.replaceAll('{p}', place);
}
