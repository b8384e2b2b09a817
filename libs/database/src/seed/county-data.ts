/**
 * The demo world: one real county, 浙江省湖州市安吉县 (Anji), with its real streets and towns.
 *
 * Pure data — no I/O, no randomness at run time (one seeded PRNG) — so the seed, the tests and the
 * benchmarks all see exactly the same county. Hand-written lists below (regions, menu, teams);
 * the ~300 volunteers are generated from small name lists by a seeded PRNG, so every run yields
 * the same people with the same phones.
 *
 * Geometry is simplified on purpose: the county is its bounding box, townships are rectangles that
 * tile it, and each station (站) is a small rectangle inside its township. Coordinates are WGS84;
 * polygons are GeoJSON rings of [lng, lat].
 */
import { mulberry32 } from '@xinyuan/common/prng';

export type RegionLevel = 'county' | 'township' | 'village' | 'point';

export interface LatLng {
  lat: number;
  lng: number;
}

export interface SeedRegion {
  key: string;
  name: string;
  level: RegionLevel;
  parentKey?: string;
  center: LatLng;
  /** GeoJSON Polygon coordinates: one closed ring of [lng, lat] */
  boundary?: number[][][];
}

export interface SeedService {
  code: string;
  name: string;
  group: string;
  description: string;
  requiredSkills: string[];
  acceptTimeoutSeconds: number;
  requiresReview: boolean;
}

export interface SeedVolunteer {
  phone: string;
  name: string;
  role: 'leader' | 'member';
  skills: string[];
}

export interface SeedTeam {
  key: string;
  name: string;
  regionKey: string;
  location: LatLng;
  serviceRadiusM: number;
  skills: string[];
  capacity: number;
  members: SeedVolunteer[];
}

export interface SeedStaff {
  phone: string;
  name: string;
  role: 'dispatcher' | 'admin' | 'grid_worker';
  regionKey: string;
}

/** A beneficiary profile (一人一档), recorded by a grid worker or by a resident for family. */
export interface SeedBeneficiary {
  key: string;
  /** Phone of the account that recorded it (a grid worker or a resident of this file). */
  recordedBy: string;
  name: string;
  ageBand: 'under_18' | '18_59' | '60_69' | '70_79' | '80_plus';
  address: string;
  location: LatLng;
  tags: string[];
  phone: string | null;
  /** Fictitious (the checksum is not valid); stored encrypted. */
  idNumber: string | null;
  guardian: { name: string; phone: string; relation: string } | null;
}

export interface SeedResident {
  phone: string;
  name: string;
  address: string;
  location: LatLng;
}

/** Password of every demo account (volunteers, staff, residents). Not the admin's: that one comes from env. */
export const DEMO_PASSWORD = 'Xinyuan#2026';

// ---------------------------------------------------------------------------------------------
// Skills
// ---------------------------------------------------------------------------------------------

/** Chinese label of each skill id; the ids are what teams, volunteers and menu items carry. */
export const SKILL_LABELS: Record<string, string> = {
  haircut: '理发',
  tutoring: '课业辅导',
  meal_delivery: '助餐送餐',
  cooking: '烹饪',
  counseling: '心理疏导',
  legal: '法律',
  mediation: '纠纷调解',
  policy_advice: '政策咨询',
  medical: '医疗',
  nursing: '护理',
  rehabilitation: '康复理疗',
  appliance_repair: '家电维修',
  electrical: '水电维修',
  plumbing: '管道疏通',
  housing_repair: '房屋修缮',
  cleaning: '保洁',
  errand: '跑腿代办',
  transport: '接送出行',
  moving_help: '搬运',
  companionship: '陪伴',
  elder_care: '助老照护',
  child_care: '儿童关爱',
  disability_care: '助残',
  reading_companion: '阅读陪伴',
  tech_help: '智能手机教学',
  arts_culture: '文艺',
  photography: '摄影',
  sports: '体育健身',
  sewing: '缝补',
  environment: '生态环保',
};

export const SKILLS: readonly string[] = Object.freeze(Object.keys(SKILL_LABELS));

// ---------------------------------------------------------------------------------------------
// Regions: county → townships/streets (所) → village/community stations (站) → points (点)
// ---------------------------------------------------------------------------------------------

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** A rectangle as a closed GeoJSON ring, counter-clockwise: west, south, east, north. */
function rect(west: number, south: number, east: number, north: number): number[][][] {
  const w = round6(west);
  const s = round6(south);
  const e = round6(east);
  const n = round6(north);
  return [[[w, s], [e, s], [e, n], [w, n], [w, s]]];
}

/** A rectangle of half-width `dLng` and half-height `dLat` around `center`. */
function box(center: LatLng, dLng: number, dLat: number): number[][][] {
  return rect(center.lng - dLng, center.lat - dLat, center.lng + dLng, center.lat + dLat);
}

/** County bounding box (the real county reaches a little further west into the hills). */
const COUNTY_BBOX = { west: 119.4, south: 30.45, east: 119.88, north: 30.88 } as const;

interface TownshipDef {
  key: string;
  name: string;
  center: LatLng;
  /** west, south, east, north — the six rectangles tile COUNTY_BBOX exactly */
  bbox: [number, number, number, number];
}

const TOWNSHIPS: TownshipDef[] = [
  { key: 'dipu', name: '递铺街道', center: { lat: 30.638, lng: 119.681 }, bbox: [119.6, 30.61, 119.69, 30.7] },
  { key: 'changshuo', name: '昌硕街道', center: { lat: 30.655, lng: 119.76 }, bbox: [119.69, 30.61, 119.88, 30.7] },
  { key: 'lingfeng', name: '灵峰街道', center: { lat: 30.58, lng: 119.66 }, bbox: [119.6, 30.45, 119.88, 30.61] },
  { key: 'xiaofeng', name: '孝丰镇', center: { lat: 30.565, lng: 119.54 }, bbox: [119.4, 30.45, 119.6, 30.7] },
  { key: 'tianzihu', name: '天子湖镇', center: { lat: 30.79, lng: 119.6 }, bbox: [119.4, 30.7, 119.7, 30.88] },
  { key: 'meixi', name: '梅溪镇', center: { lat: 30.76, lng: 119.79 }, bbox: [119.7, 30.7, 119.88, 30.88] },
];

interface StationDef {
  key: string;
  name: string;
  township: string;
  center: LatLng;
  /** half-width (lng) and half-height (lat) of the station's rectangle, in degrees */
  half: [number, number];
}

/** Village/community stations (站), two per township. */
const STATIONS: StationDef[] = [
  { key: 'dipu-gucheng', name: '古城村', township: 'dipu', center: { lat: 30.626, lng: 119.655 }, half: [0.012, 0.01] },
  { key: 'dipu-lujia', name: '鲁家村', township: 'dipu', center: { lat: 30.675, lng: 119.625 }, half: [0.012, 0.012] },
  { key: 'changshuo-shengli', name: '胜利社区', township: 'changshuo', center: { lat: 30.64, lng: 119.7 }, half: [0.007, 0.007] },
  { key: 'changshuo-shuangyi', name: '双一村', township: 'changshuo', center: { lat: 30.665, lng: 119.735 }, half: [0.012, 0.01] },
  { key: 'lingfeng-hengshanwu', name: '横山坞村', township: 'lingfeng', center: { lat: 30.595, lng: 119.65 }, half: [0.012, 0.01] },
  { key: 'lingfeng-dazhuyuan', name: '大竹园村', township: 'lingfeng', center: { lat: 30.56, lng: 119.7 }, half: [0.014, 0.012] },
  { key: 'xiaofeng-xiaofeng', name: '孝丰村', township: 'xiaofeng', center: { lat: 30.56, lng: 119.545 }, half: [0.012, 0.01] },
  { key: 'xiaofeng-hengbai', name: '横柏村', township: 'xiaofeng', center: { lat: 30.6, lng: 119.5 }, half: [0.014, 0.012] },
  { key: 'tianzihu-gaoyu', name: '高禹村', township: 'tianzihu', center: { lat: 30.8, lng: 119.62 }, half: [0.014, 0.012] },
  { key: 'tianzihu-liangpeng', name: '良朋村', township: 'tianzihu', center: { lat: 30.77, lng: 119.56 }, half: [0.014, 0.012] },
  { key: 'meixi-xiaoshu', name: '晓墅村', township: 'meixi', center: { lat: 30.76, lng: 119.76 }, half: [0.014, 0.012] },
  { key: 'meixi-jingwan', name: '荆湾村', township: 'meixi', center: { lat: 30.73, lng: 119.82 }, half: [0.012, 0.01] },
];

/** Service points (点) inside a station: a canteen, a cultural hall, a day-care room. */
const POINTS: { key: string; name: string; station: string; center: LatLng }[] = [
  { key: 'point-lujia-canteen', name: '鲁家村老年食堂服务点', station: 'dipu-lujia', center: { lat: 30.676, lng: 119.627 } },
  { key: 'point-gucheng-hall', name: '古城村文化礼堂服务点', station: 'dipu-gucheng', center: { lat: 30.627, lng: 119.657 } },
  { key: 'point-gaoyu-daycare', name: '高禹村居家养老服务点', station: 'tianzihu-gaoyu', center: { lat: 30.801, lng: 119.622 } },
  { key: 'point-xiaofeng-canteen', name: '孝丰村幸福食堂服务点', station: 'xiaofeng-xiaofeng', center: { lat: 30.561, lng: 119.546 } },
];

export const regions: SeedRegion[] = [
  {
    key: 'county',
    name: '安吉县',
    level: 'county',
    center: { lat: 30.638, lng: 119.681 },
    boundary: rect(COUNTY_BBOX.west, COUNTY_BBOX.south, COUNTY_BBOX.east, COUNTY_BBOX.north),
  },
  ...TOWNSHIPS.map(
    (t): SeedRegion => ({ key: t.key, name: t.name, level: 'township', parentKey: 'county', center: t.center, boundary: rect(...t.bbox) }),
  ),
  ...STATIONS.map(
    (s): SeedRegion => ({
      key: s.key,
      name: s.name,
      level: 'village',
      parentKey: s.township,
      center: s.center,
      boundary: box(s.center, s.half[0], s.half[1]),
    }),
  ),
  ...POINTS.map((p): SeedRegion => ({ key: p.key, name: p.name, level: 'point', parentKey: p.station, center: p.center })),
];

// ---------------------------------------------------------------------------------------------
// Service menu (菜单)
// ---------------------------------------------------------------------------------------------

type MenuRow = [code: string, name: string, requiredSkills: string[], acceptTimeoutSeconds: number, description: string, requiresReview?: boolean];

const MENU: Record<string, MenuRow[]> = {
  生活服务: [
    ['HAIRCUT', '上门理发', ['haircut'], 1800, '为行动不便的老人、残疾人上门理发修面'],
    ['APPLIANCE_REPAIR', '家电维修', ['appliance_repair'], 1800, '电视、洗衣机、电饭煲等小家电检修'],
    ['CLEANING', '打扫卫生', ['cleaning'], 1800, '居室清扫、厨卫清洁、整理杂物'],
    ['PLUMBING', '管道疏通', ['plumbing'], 1200, '下水道、马桶堵塞疏通，水龙头更换'],
    ['ELECTRICAL_CHECK', '水电检修', ['electrical'], 1200, '线路老化排查、插座开关和灯具更换'],
    ['HOME_REPAIR', '房屋小修', ['housing_repair'], 3600, '门窗、屋顶漏雨等小修小补'],
    ['ERRAND', '代买代办', ['errand'], 900, '代购生活用品、代缴水电费等'],
    ['MOVING_HELP', '搬运帮扶', ['moving_help'], 2400, '搬运家具、换季物品和农资'],
    ['PHONE_TEACHING', '智能手机教学', ['tech_help'], 3600, '教老人用微信视频、健康码、网上缴费，防范电信诈骗'],
    ['CLOTHES_MENDING', '缝补衣物', ['sewing'], 3600, '缝补、改衣、钉纽扣'],
  ],
  助老服务: [
    ['MEAL_DELIVERY', '助餐送餐', ['meal_delivery'], 900, '为独居、高龄老人从老年食堂送餐上门'],
    ['ELDER_VISIT', '独居老人探访', ['companionship'], 1800, '定期上门看望独居老人，了解身体和生活状况'],
    ['ELDER_BATH', '助浴服务', ['elder_care'], 2400, '协助失能、半失能老人洗浴'],
    ['MEDICINE_PURCHASE', '代买药品', ['errand'], 900, '按处方或常用药清单代为购药并送达'],
    ['HOSPITAL_ESCORT', '陪同就医', ['companionship', 'transport'], 1800, '陪同老人到县人民医院、乡镇卫生院就诊取药'],
    ['HOME_SAFETY_CHECK', '居家安全检查', ['electrical'], 2400, '检查燃气、电线、防滑和适老化设施'],
    ['ELDER_COMPANION', '陪伴聊天', ['companionship'], 1800, '陪老人聊天、读报、散步'],
  ],
  关爱儿童: [
    ['HOMEWORK_TUTORING', '作业辅导', ['tutoring'], 1800, '为留守、困境儿童辅导课后作业'],
    ['AFTER_SCHOOL_CLASS', '四点半课堂', ['child_care', 'tutoring'], 3600, '放学后托管、看护与学习辅导'],
    ['CHILD_VISIT', '留守儿童走访', ['child_care'], 2400, '上门走访留守儿童，了解学习与生活'],
    ['READING_COMPANION', '亲子阅读', ['reading_companion'], 3600, '陪伴孩子阅读，送书上门'],
    ['CHILD_PSYCH', '儿童心理疏导', ['counseling', 'child_care'], 2400, '面向困境儿童的心理陪伴与疏导'],
    ['WATER_SAFETY', '防溺水安全教育', ['child_care'], 3600, '暑期防溺水、交通安全宣讲'],
  ],
  健康服务: [
    ['FREE_CLINIC', '义诊', ['medical'], 3600, '医护志愿者进村义诊、健康咨询'],
    ['HEALTH_CHECK', '测血压血糖', ['medical'], 1800, '上门测量血压、血糖，建立健康记录'],
    ['HOME_NURSING', '上门护理', ['nursing'], 1800, '换药、护理指导、压疮预防'],
    ['REHAB_GUIDANCE', '康复指导', ['rehabilitation'], 2400, '中风后、术后居家康复训练指导'],
    ['DISABILITY_ASSIST', '助残服务', ['disability_care'], 1800, '为残疾人提供出行、生活照料等帮扶'],
  ],
  法律服务: [
    ['LEGAL_CONSULT', '法律咨询', ['legal'], 2400, '婚姻家庭、土地承包、劳务纠纷等法律咨询'],
    ['LEGAL_AID', '法律援助', ['legal'], 3600, '为困难群众代写文书、协助申请法律援助', true],
    ['MEDIATION', '矛盾纠纷调解', ['mediation'], 1800, '邻里、家庭矛盾的上门调解'],
    ['POLICY_ADVICE', '政策咨询', ['policy_advice'], 2400, '养老、医保、低保、残补等政策解读与代办指引'],
  ],
  心理服务: [
    ['PSYCH_COMFORT', '心理慰藉', ['counseling'], 1800, '为独居老人、困境家庭提供心理陪伴与慰藉'],
    ['FAMILY_COUNSELING', '家庭关系辅导', ['counseling'], 3600, '亲子沟通、婆媳关系等家庭关系辅导'],
    ['CRISIS_SUPPORT', '心理危机干预', ['counseling', 'medical'], 900, '对有心理危机风险的人员进行干预并转介', true],
  ],
  微心愿: [
    ['MICRO_WISH', '微心愿', ['errand'], 3600, '困难群众的小心愿：一件冬衣、一台收音机、一次团圆照', true],
    ['STUDY_WISH', '助学微心愿', ['tutoring'], 3600, '为困境学生认领书包、文具、学习用品', true],
    ['HOLIDAY_VISIT', '节日慰问', ['companionship'], 3600, '春节、重阳节走访慰问困难老人和家庭'],
  ],
  文化服务: [
    ['CULTURE_SHOW', '文艺演出', ['arts_culture'], 3600, '进村文艺汇演、越剧和地方戏曲表演'],
    ['CALLIGRAPHY_CLASS', '书画教学', ['arts_culture'], 3600, '昌硕故里书画课堂，教孩子和老人写字作画'],
    ['SPRING_COUPLETS', '写春联送福', ['arts_culture'], 3600, '春节前为村民书写春联、福字'],
    ['FAMILY_PHOTO', '拍摄全家福', ['photography'], 3600, '为老人和留守家庭拍摄全家福、证件照'],
    ['FITNESS_GUIDE', '健身指导', ['sports'], 3600, '广场舞、太极拳、健身器材使用指导'],
  ],
  生态环保: [
    ['GARBAGE_SORTING', '垃圾分类指导', ['environment'], 3600, '上门指导垃圾分类，践行绿水青山就是金山银山'],
    ['RIVER_PATROL', '护河巡河', ['environment'], 3600, '协助河长巡查河道、清理漂浮物'],
  ],
};

export const services: SeedService[] = Object.entries(MENU).flatMap(([group, rows]) =>
  rows.map(([code, name, requiredSkills, acceptTimeoutSeconds, description, requiresReview]) => ({
    code,
    name,
    group,
    description,
    requiredSkills,
    acceptTimeoutSeconds,
    requiresReview: requiresReview ?? false,
  })),
);

// ---------------------------------------------------------------------------------------------
// Teams (志愿服务队) and their volunteers
// ---------------------------------------------------------------------------------------------

/** The kinds of team found in a county and what each kind can do. */
const TEAM_KINDS = {
  party: ['errand', 'companionship', 'cleaning', 'moving_help', 'transport', 'policy_advice', 'environment', 'elder_care'],
  women: ['meal_delivery', 'cooking', 'cleaning', 'companionship', 'child_care', 'sewing', 'elder_care', 'reading_companion'],
  youth: ['tutoring', 'tech_help', 'errand', 'moving_help', 'transport', 'sports', 'reading_companion', 'photography'],
  silver: ['companionship', 'mediation', 'arts_culture', 'haircut', 'policy_advice', 'sewing'],
  medical: ['medical', 'nursing', 'rehabilitation', 'counseling', 'elder_care', 'disability_care'],
  legal: ['legal', 'mediation', 'policy_advice', 'counseling'],
  repair: ['appliance_repair', 'electrical', 'plumbing', 'housing_repair', 'moving_help'],
  culture: ['arts_culture', 'photography', 'reading_companion', 'sports'],
  life: ['haircut', 'cleaning', 'sewing', 'errand', 'meal_delivery', 'cooking'],
  care: ['counseling', 'companionship', 'child_care', 'disability_care', 'tutoring'],
  green: ['environment', 'cleaning', 'errand'],
} as const satisfies Record<string, readonly string[]>;

type TeamKind = keyof typeof TEAM_KINDS;

type TeamRow = [key: string, name: string, station: string, kind: TeamKind, serviceRadiusM: number, capacity: number, volunteers: number];

const TEAM_ROWS: TeamRow[] = [
  ['dipu-party', '递铺街道党员先锋志愿服务队', 'dipu-gucheng', 'party', 5000, 8, 15],
  ['dipu-medical', '县人民医院医护志愿服务队', 'dipu-gucheng', 'medical', 8000, 6, 13],
  ['dipu-legal', '递铺街道法律服务志愿队', 'dipu-gucheng', 'legal', 8000, 4, 8],
  ['lujia-women', '鲁家村巾帼志愿服务队', 'dipu-lujia', 'women', 3000, 6, 12],
  ['lujia-silver', '鲁家村银龄互助队', 'dipu-lujia', 'silver', 2500, 5, 10],
  ['changshuo-youth', '昌硕街道青年志愿者服务队', 'changshuo-shengli', 'youth', 5000, 8, 14],
  ['changshuo-repair', '昌硕街道红色管家维修队', 'changshuo-shengli', 'repair', 6000, 6, 11],
  ['changshuo-culture', '昌硕书画文艺志愿服务队', 'changshuo-shengli', 'culture', 8000, 4, 10],
  ['shuangyi-life', '双一村邻里帮帮团', 'changshuo-shuangyi', 'life', 3000, 5, 9],
  ['shuangyi-care', '双一村暖心关爱服务队', 'changshuo-shuangyi', 'care', 4000, 5, 10],
  ['lingfeng-youth', '灵峰街道青年突击队', 'lingfeng-hengshanwu', 'youth', 6000, 8, 13],
  ['hengshanwu-green', '横山坞村生态护绿队', 'lingfeng-hengshanwu', 'green', 4000, 5, 9],
  ['lingfeng-medical', '灵峰街道社区卫生服务中心医护队', 'lingfeng-dazhuyuan', 'medical', 7000, 5, 11],
  ['dazhuyuan-party', '大竹园村党员志愿服务队', 'lingfeng-dazhuyuan', 'party', 4000, 6, 11],
  ['dazhuyuan-women', '大竹园村巾帼志愿服务队', 'lingfeng-dazhuyuan', 'women', 3500, 5, 10],
  ['xiaofeng-women', '孝丰镇巾帼志愿服务队', 'xiaofeng-xiaofeng', 'women', 5000, 7, 13],
  ['xiaofeng-repair', '孝丰镇电力义务维修队', 'xiaofeng-xiaofeng', 'repair', 8000, 6, 10],
  ['xiaofeng-legal', '孝丰镇法律服务志愿队', 'xiaofeng-xiaofeng', 'legal', 8000, 3, 7],
  ['hengbai-party', '横柏村党员先锋队', 'xiaofeng-hengbai', 'party', 4000, 5, 10],
  ['hengbai-care', '横柏村关爱留守儿童服务队', 'xiaofeng-hengbai', 'care', 5000, 5, 8],
  ['tianzihu-youth', '天子湖镇青年志愿者服务队', 'tianzihu-gaoyu', 'youth', 6000, 7, 11],
  ['gaoyu-silver', '高禹村银龄志愿服务队', 'tianzihu-gaoyu', 'silver', 3000, 5, 9],
  ['gaoyu-life', '高禹村邻里帮帮团', 'tianzihu-gaoyu', 'life', 3500, 5, 8],
  ['liangpeng-party', '良朋村党员志愿服务队', 'tianzihu-liangpeng', 'party', 4500, 6, 10],
  ['liangpeng-green', '良朋村护河志愿队', 'tianzihu-liangpeng', 'green', 5000, 4, 7],
  ['meixi-medical', '梅溪镇卫生院医护志愿队', 'meixi-xiaoshu', 'medical', 7000, 5, 10],
  ['meixi-culture', '梅溪镇文化志愿服务队', 'meixi-xiaoshu', 'culture', 6000, 4, 8],
  ['xiaoshu-women', '晓墅村巾帼志愿服务队', 'meixi-xiaoshu', 'women', 3000, 5, 9],
  ['jingwan-repair', '荆湾村能工巧匠服务队', 'meixi-jingwan', 'repair', 5000, 4, 7],
  ['jingwan-care', '荆湾村心灵港湾服务队', 'meixi-jingwan', 'care', 4000, 4, 7],
];

/** `list[index]`, wrapping around, for arrays known to be non-empty. */
function at<T>(list: readonly T[], index: number): T {
  const value = list[((index % list.length) + list.length) % list.length];
  if (value === undefined) throw new Error('empty list');
  return value;
}


/** Common surnames, weighted towards those frequent in northern Zhejiang. */
const SURNAMES = [
  '王', '陈', '张', '李', '吴', '徐', '沈', '朱', '周', '潘', '钱', '胡', '金', '杨', '俞', '章', '汪', '施', '姚', '蒋',
  '刘', '黄', '赵', '孙', '郑', '叶', '程', '方', '何', '邵', '许', '马', '丁', '冯', '傅', '严', '陆', '韩', '谢', '宋',
];

const GIVEN_NAMES = [
  '建国', '秀英', '美华', '志强', '丽娟', '海燕', '伟', '芳', '敏', '静', '磊', '勇', '军', '杰', '娟', '涛', '明', '超',
  '秀兰', '霞', '平', '刚', '桂英', '晓燕', '建华', '红梅', '文斌', '国平', '雪芳', '佳怡', '浩然', '雨欣', '思远', '欣怡',
  '俊杰', '慧敏', '建军', '玉兰', '金龙', '月娥', '永康', '素琴', '国强', '春燕', '立新', '晓东', '丽萍', '卫东', '亚琴', '伟民',
  '志华', '惠芬', '林峰', '小芳', '建英', '宏伟', '梦婷', '子轩', '一帆', '家豪',
];

/** Deterministic offset inside a station's rectangle: at most 60 % of its half-size from the center. */
function spot(stationKey: string, index: number): LatLng {
  const s = STATIONS.find((x) => x.key === stationKey);
  if (!s) throw new Error(`unknown station ${stationKey}`);
  const fx = ((index % 3) - 1) * 0.5; // -0.5, 0, 0.5
  const fy = ((Math.floor(index / 3) % 3) - 1) * 0.5;
  return { lat: round6(s.center.lat + fy * s.half[1]), lng: round6(s.center.lng + fx * s.half[0]) };
}

function buildTeams(): SeedTeam[] {
  const rand = mulberry32(20260101);
  const pick = <T>(list: readonly T[]): T => at(list, Math.floor(rand() * list.length));
  const usedNames = new Set<string>();
  const personName = (): string => {
    for (;;) {
      const name = pick(SURNAMES) + pick(GIVEN_NAMES);
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const perStation = new Map<string, number>();
  let phoneSeq = 0;
  const nextPhone = (): string => `139${String(++phoneSeq).padStart(8, '0')}`;

  return TEAM_ROWS.map(([key, name, station, kind, serviceRadiusM, capacity, volunteers]) => {
    const skills = [...TEAM_KINDS[kind]];
    const indexInStation = perStation.get(station) ?? 0;
    perStation.set(station, indexInStation + 1);
    const members: SeedVolunteer[] = [];
    for (let i = 0; i < volunteers; i++) {
      if (i === 0) {
        // the leader can do everything the team offers
        members.push({ phone: nextPhone(), name: personName(), role: 'leader', skills: [...skills] });
        continue;
      }
      // a member brings one to three of the team's skills, in the team's order
      const count = 1 + Math.floor(rand() * 3);
      const start = Math.floor(rand() * skills.length);
      const own = Array.from({ length: count }, (_, j) => at(skills, start + j));
      members.push({ phone: nextPhone(), name: personName(), role: 'member', skills: [...new Set(own)] });
    }
    return {
      key,
      name,
      regionKey: station,
      // teams of one station stand apart: 0 → center, 1 → east, 2 → south-west, ...
      location: spot(station, at([4, 5, 0, 8], indexInStation)),
      serviceRadiusM,
      skills,
      capacity,
      members,
    };
  });
}

export const teams: SeedTeam[] = buildTeams();

// ---------------------------------------------------------------------------------------------
// Staff and residents
// ---------------------------------------------------------------------------------------------

export const staff: SeedStaff[] = [
  { phone: '13800000001', name: '沈晓红', role: 'dispatcher', regionKey: 'county' },
  { phone: '13800000002', name: '吴建明', role: 'dispatcher', regionKey: 'dipu' },
  { phone: '13800000003', name: '潘丽君', role: 'admin', regionKey: 'county' },
  { phone: '13800000004', name: '钟国强', role: 'admin', regionKey: 'dipu' },
  { phone: '13800000011', name: '俞美华', role: 'grid_worker', regionKey: 'dipu-lujia' },
  { phone: '13800000012', name: '蒋志刚', role: 'grid_worker', regionKey: 'dipu-gucheng' },
];

export const residents: SeedResident[] = [
  { phone: '13700000001', name: '王桂英', address: '浙江省湖州市安吉县递铺街道古城村古城路18号', location: { lat: 30.6275, lng: 119.6535 } },
  { phone: '13700000002', name: '陈阿毛', address: '浙江省湖州市安吉县递铺街道鲁家村3组26号', location: { lat: 30.6768, lng: 119.6231 } },
  { phone: '13700000003', name: '李秀珍', address: '浙江省湖州市安吉县昌硕街道胜利社区胜利西路57号', location: { lat: 30.6412, lng: 119.7013 } },
  { phone: '13700000004', name: '张永福', address: '浙江省湖州市安吉县昌硕街道双一村5组8号', location: { lat: 30.6668, lng: 119.7342 } },
  { phone: '13700000005', name: '徐金娣', address: '浙江省湖州市安吉县灵峰街道横山坞村2组41号', location: { lat: 30.5961, lng: 119.6487 } },
  { phone: '13700000006', name: '朱小宝', address: '浙江省湖州市安吉县灵峰街道大竹园村7组3号', location: { lat: 30.5588, lng: 119.7024 } },
  { phone: '13700000007', name: '沈福根', address: '浙江省湖州市安吉县孝丰镇孝丰村南街112号', location: { lat: 30.5614, lng: 119.5438 } },
  { phone: '13700000008', name: '周美凤', address: '浙江省湖州市安吉县孝丰镇横柏村4组15号', location: { lat: 30.6012, lng: 119.4987 } },
  { phone: '13700000009', name: '钱阿大', address: '浙江省湖州市安吉县天子湖镇高禹村高禹街66号', location: { lat: 30.8013, lng: 119.6187 } },
  { phone: '13700000010', name: '潘雪琴', address: '浙江省湖州市安吉县梅溪镇晓墅村1组9号', location: { lat: 30.7594, lng: 119.7618 } },
];

// ---------------------------------------------------------------------------------------------
// Beneficiaries (一人一档): people the grid workers look after, and one a resident records for family
// ---------------------------------------------------------------------------------------------

export const beneficiaries: SeedBeneficiary[] = [
  {
    key: 'lujia-elder-1', recordedBy: '13800000011', name: '陈阿婆', ageBand: '80_plus',
    address: '浙江省湖州市安吉县递铺街道鲁家村3组12号', location: { lat: 30.6742, lng: 119.6268 },
    tags: ['living_alone'], phone: '05725123401', idNumber: '330523194203150028',
    guardian: { name: '陈建华', phone: '13957200011', relation: '儿子' },
  },
  {
    key: 'lujia-child-1', recordedBy: '13800000011', name: '陈小雨', ageBand: 'under_18',
    address: '浙江省湖州市安吉县递铺街道鲁家村5组8号', location: { lat: 30.6779, lng: 119.6205 },
    tags: ['left_behind_child'], phone: null, idNumber: null,
    guardian: { name: '陈阿婆', phone: '13957200012', relation: '祖母' },
  },
  {
    key: 'gucheng-disabled-1', recordedBy: '13800000012', name: '周德明', ageBand: '60_69',
    address: '浙江省湖州市安吉县递铺街道古城村古城路31号', location: { lat: 30.6262, lng: 119.6561 },
    tags: ['disability', 'low_income'], phone: '13957200013', idNumber: '330523196007070017', guardian: null,
  },
  {
    key: 'resident-mother-1', recordedBy: '13700000001', name: '王母', ageBand: '80_plus',
    address: '浙江省湖州市安吉县递铺街道古城村古城路18号', location: { lat: 30.6275, lng: 119.6535 },
    tags: [], phone: null, idNumber: null, guardian: { name: '王桂英', phone: '13700000001', relation: '女儿' },
  },
];
