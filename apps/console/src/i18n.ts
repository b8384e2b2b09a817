import { createI18n } from 'vue-i18n';
import { computed } from 'vue';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import en from 'element-plus/es/locale/lang/en';
import type { Lang } from '@shared/labels';

const messages = {
  zh: {
    app: '心愿 · 调度中心', queue: '实时队列', map: '辖区地图', dashboard: '数据看板', menu: '服务菜单', teams: '服务队', staff: '工作人员',
    logout: '退出', language: '界面语言', queueBoard: '任务队列', login: '登录', phone: '手机号', password: '密码', loginTitle: '调度中心登录', live: '实时', offline: '重连中',
    queueEmpty: '暂无需要处理的订单', waiting: '已等待', expiresIn: '剩余', reason: '原因', service: '服务', area: '区域', status: '状态',
    description: '需求描述', createdAt: '下单时间', open: '处理', order: '订单', timeline: '时间线', candidates: '候选服务队（按得分排序）',
    team: '服务队', distance: '距离', score: '总分', assign: '派给该队', approve: '审核通过', reject: '驳回', cancel: '取消订单',
    reasonPrompt: '请填写原因', notePrompt: '备注（可选）', confirm: '确定', back: '返回', address: '地址', contact: '联系电话',
    weights: '权重', alreadyOffered: '已派过', load: '在办/容量', done: '操作成功', noCandidates: '没有符合条件的服务队',
    regions: '区域边界', openOrders: '进行中订单', legend: '图例', tiles: '底图瓦片', noTiles: '无底图（离线绘制）',
    code: '编码', name: '名称', group: '类别', skills: '所需技能', timeout: '接单时限（秒）', review: '需审核', mode: '派单方式', active: '上架',
    add: '新增', save: '保存', region: '所属区域', radius: '服务半径（米）', capacity: '容量', members: '队员', location: '位置',
    pickOnMap: '在地图上点选位置', picked: '已选位置', role: '角色', edit: '编辑', addMember: '添加队员', memberName: '姓名',
    from: '开始日期', to: '结束日期', period: '统计时段', minutesUnit: '分钟', exportXlsx: '导出 XLSX', exportCsv: '导出 CSV', perDay: '每日订单（按状态）', byGroup: '按服务类别',
    timing: '响应与完成用时（分钟）', satisfaction: '满意度', minutes: '志愿服务时长', perRegion: '按区域', orders: '订单数',
    completed: '已完成', cancelled: '已取消', median: '中位数', p90: 'P90', toAccept: '下单→接单', toComplete: '下单→完成',
    ratings: '评价数', avgStars: '平均星级', solvedRate: '解决率', totalMinutes: '总时长（分钟）', volunteers: '参与志愿者',
    refresh: '刷新', urgent: '紧急', serviceMinutes: '服务分钟', all: '全部',
    remove: '移出', removeMemberConfirm: '确定将 {name} 移出本队吗？移出后 TA 将看不到本队的派单。', accountState: '账号状态',
    enabled: '正常', disabled: '已停用', disable: '停用', enable: '启用', disableConfirm: '停用后 {name} 将立即退出登录且无法再登录，确定停用吗？',
    roleChangeNote: '修改角色或所属区域后，该人员需要重新登录', you: '（本人）', editService: '编辑服务项目', editStaff: '编辑工作人员',
    clearDescription: '留空即清除描述',
    appGrid: '心愿 · 网格员工作台', personName: '姓名', livesIn: '所在区域', consoleOnly: '仅限调度员、管理员和网格员登录', loginWho: '调度员、管理员、网格员使用', smsCode: '短信验证码', secondFactorHint: '密码正确。验证码已发到您的手机，请输入短信中的 6 位数字后再点登录',
    care: '关爱 · 今日',
    beneficiaries: '居民档案', beneficiariesHint: '一人一档：为不便使用手机的居民建档，并替他们点单（代点单）',
    newBeneficiary: '新建档案', editBeneficiary: '编辑档案', searchName: '按姓名查找', search: '查找', tagFilter: '按类别筛选',
    ageBand: '年龄段', tags: '类别', tagsHint: '类别和身份证号仅本辖区网格员、工作人员可见', idNumber: '身份证号', idNumberOnFile: '已登记（仅辖区工作人员可见）',
    guardian: '监护人 / 紧急联系人', guardianName: '联系人姓名', guardianPhone: '联系人电话', relation: '关系', relationPlaceholder: '如：儿子、女儿、邻居',
    addressPlaceholder: '如：递铺街道古城村古城路18号', phonePlaceholder: '手机或固话，如 0572-5121234', registeredAt: '建档时间',
    archive: '归档', archiveTitle: '归档档案', archiveConfirm: '确定将「{name}」的档案归档吗？归档后不再出现在列表中，已下的订单不受影响。',
    orderFor: '代点单', orderForTitle: '为「{name}」代点单', chooseService: '选择服务项目', preferredTime: '期望服务时间',
    asap: '尽快', todayAm: '今天上午', todayPm: '今天下午', todayEve: '今天晚上', tomorrowAm: '明天上午', tomorrowPm: '明天下午', tomorrowEve: '明天晚上',
    dayAfterAm: '后天上午', dayAfterPm: '后天下午', dayAfterEve: '后天晚上', custom: '指定时间', timePassed: '选的时间已经过了，请重新选择',
    startTime: '开始时间', endTime: '结束时间', descriptionPlaceholder: '写清需要什么帮助，例如：老人行动不便，需要上门理发',
    contactOverride: '联系电话（不填则用档案电话）', urgentHint: '紧急（跌倒、敲门无人应答等）：优先派单', placeOrder: '提交订单',
    orderPlaced: '已为「{name}」下单', orderFromProfile: '服务地址、位置和联系电话取自档案（{address}）', needsReview: '需审核',
    myOrders: '我代点的单', beneficiary: '服务对象', noBeneficiaries: '还没有档案，点“新建档案”添加', noOrders: '还没有代点的订单',
    loadMore: '加载更多', details: '详情', actions: '操作', close: '关闭', required: '请填写{field}', onBehalf: '代点单',
    cancelOrder: '取消订单', cancelReason: '请填写取消原因', errorCode: '错误代码',
    searchTeams: '查找服务队（人工派单）', teamSearchPlaceholder: '输入队名的一部分', skillsHeld: '技能', beyondRadius: '超出服务半径',
    full: '已满', lacks: '缺少：{skills}', holdsOffer: '正在等待答复', pendingNow: '正在等待「{team}」答复，{time} 截止', confirmAssignTitle: '确认派单',
    confirmWithdraw: '这张单正在等待「{from}」答复。改派给「{to}」会撤回给「{from}」的派单，对方的倒计时随即结束。',
    confirmOutside: '「{team}」离订单地点 {distance}，超出它的服务半径 {radius}。', confirmSkills: '「{team}」缺少所需技能：{skills}。',
    confirmAssign: '确定派给「{team}」吗？', noTeamsFound: '没有找到服务队', scope: '适用范围', everywhere: '各地通用',
    countyItemHint: '本县专用：只有本县居民能看到和下单',
    skillLabels: '技能名称', skillLabelsHint: '服务队、队员和服务项目所用技能的中英文名称', labelZh: '中文名称', labelEn: '英文名称', noLabel: '（未命名）', editSkill: '编辑技能名称',
    dataMenu: '数据', interop: '数据对接', imports: '数据导入', ledger: '台账导出',
  },
  en: {
    app: 'Xinyuan · Dispatch centre', queue: 'Live queue', map: 'Map', dashboard: 'Dashboard', menu: 'Menu', teams: 'Teams', staff: 'Staff',
    logout: 'Sign out', language: 'Language', queueBoard: 'Job queues', login: 'Sign in', phone: 'Phone', password: 'Password', loginTitle: 'Dispatch centre sign-in', live: 'Live', offline: 'Reconnecting',
    queueEmpty: 'Nothing needs a person right now', waiting: 'Waiting', expiresIn: 'Expires in', reason: 'Reason', service: 'Service', area: 'Area', status: 'Status',
    description: 'Description', createdAt: 'Placed', open: 'Open', order: 'Order', timeline: 'Timeline', candidates: 'Candidate teams (ranked)',
    team: 'Team', distance: 'Distance', score: 'Score', assign: 'Assign', approve: 'Approve', reject: 'Reject', cancel: 'Cancel order',
    reasonPrompt: 'Reason', notePrompt: 'Note (optional)', confirm: 'OK', back: 'Back', address: 'Address', contact: 'Phone',
    weights: 'Weights', alreadyOffered: 'offered before', load: 'Load', done: 'Done', noCandidates: 'No eligible team',
    regions: 'Region boundaries', openOrders: 'Open orders', legend: 'Legend', tiles: 'Tiles', noTiles: 'No tiles (drawn offline)',
    code: 'Code', name: 'Name', group: 'Group', skills: 'Skills', timeout: 'Accept window (s)', review: 'Review', mode: 'Mode', active: 'Active',
    add: 'Add', save: 'Save', region: 'Region', radius: 'Radius (m)', capacity: 'Capacity', members: 'Members', location: 'Location',
    pickOnMap: 'Pick the location on the map', picked: 'Picked', role: 'Role', edit: 'Edit', addMember: 'Add member', memberName: 'Name',
    from: 'From', to: 'To', period: 'Period', minutesUnit: 'min', exportXlsx: 'Export XLSX', exportCsv: 'Export CSV', perDay: 'Orders per day by status', byGroup: 'By menu group',
    timing: 'Time to accept / complete (min)', satisfaction: 'Satisfaction', minutes: 'Volunteer minutes', perRegion: 'Per region', orders: 'Orders',
    completed: 'Completed', cancelled: 'Cancelled', median: 'Median', p90: 'p90', toAccept: 'Order → accept', toComplete: 'Order → complete',
    ratings: 'Ratings', avgStars: 'Average stars', solvedRate: 'Solved', totalMinutes: 'Total minutes', volunteers: 'Volunteers',
    refresh: 'Refresh', urgent: 'Urgent', serviceMinutes: 'Minutes served', all: 'All',
    remove: 'Remove', removeMemberConfirm: 'Remove {name} from the team? They will no longer see its offers.', accountState: 'Account',
    enabled: 'Active', disabled: 'Disabled', disable: 'Disable', enable: 'Enable', disableConfirm: '{name} will be signed out at once and cannot sign in again. Disable?',
    roleChangeNote: 'After a change of role or region the person must sign in again', you: ' (you)', editService: 'Edit menu item', editStaff: 'Edit staff member',
    clearDescription: 'Leave empty to clear the description',
    appGrid: 'Xinyuan · Grid worker desk', personName: 'Name', livesIn: 'Lives in', consoleOnly: 'For dispatchers, admins and grid workers only', loginWho: 'For dispatchers, admins and grid workers', smsCode: 'SMS code', secondFactorHint: 'Password accepted. A code was sent to your phone: enter its 6 digits and sign in again',
    care: 'Care · today',
    beneficiaries: 'Beneficiaries', beneficiariesHint: 'One profile per person: record residents who do not use a phone, and order for them',
    newBeneficiary: 'New profile', editBeneficiary: 'Edit profile', searchName: 'Search by name', search: 'Search', tagFilter: 'Filter by category',
    ageBand: 'Age', tags: 'Categories', tagsHint: 'Categories and ID number are visible only to grid workers and staff of the jurisdiction', idNumber: 'ID number', idNumberOnFile: 'On file (staff of the jurisdiction only)',
    guardian: 'Guardian / emergency contact', guardianName: 'Contact name', guardianPhone: 'Contact phone', relation: 'Relation', relationPlaceholder: 'e.g. son, daughter, neighbour',
    addressPlaceholder: 'e.g. 18 Gucheng Road, Gucheng village', phonePlaceholder: 'Mobile or landline, e.g. 0572-5121234', registeredAt: 'Recorded',
    archive: 'Archive', archiveTitle: 'Archive profile', archiveConfirm: 'Archive the profile of “{name}”? It leaves the list; orders already placed are not affected.',
    orderFor: 'Order for this person', orderForTitle: 'Order for “{name}”', chooseService: 'Choose a service', preferredTime: 'Preferred time',
    asap: 'As soon as possible', todayAm: 'This morning', todayPm: 'This afternoon', todayEve: 'This evening', tomorrowAm: 'Tomorrow morning', tomorrowPm: 'Tomorrow afternoon', tomorrowEve: 'Tomorrow evening',
    dayAfterAm: 'Day after tomorrow, morning', dayAfterPm: 'Day after tomorrow, afternoon', dayAfterEve: 'Day after tomorrow, evening', custom: 'Pick a time', timePassed: 'That time has passed; choose again',
    startTime: 'From', endTime: 'Until', descriptionPlaceholder: 'What help is needed, e.g. cannot walk far, needs a haircut at home',
    contactOverride: 'Contact phone (default: the profile\'s)', urgentHint: 'Urgent (a fall, no answer at the door…): dispatched first', placeOrder: 'Place order',
    orderPlaced: 'Order placed for “{name}”', orderFromProfile: 'Address, location and phone come from the profile ({address})', needsReview: 'Needs review',
    myOrders: 'Orders I placed', beneficiary: 'Beneficiary', noBeneficiaries: 'No profiles yet: add one with “New profile”', noOrders: 'No orders placed yet',
    loadMore: 'Load more', details: 'Details', actions: 'Actions', close: 'Close', required: '{field} is required', onBehalf: 'On behalf',
    cancelOrder: 'Cancel order', cancelReason: 'Why is it cancelled?', errorCode: 'Error code',
    searchTeams: 'Find a team (manual assign)', teamSearchPlaceholder: 'Part of the team name', skillsHeld: 'Skills', beyondRadius: 'Beyond its radius',
    full: 'Full', lacks: 'Lacks: {skills}', holdsOffer: 'Waiting for its answer', pendingNow: 'Waiting for “{team}” to answer until {time}', confirmAssignTitle: 'Confirm assignment',
    confirmWithdraw: 'This order is waiting for “{from}” to answer. Assigning “{to}” withdraws the offer to “{from}” and ends its countdown.',
    confirmOutside: '“{team}” is {distance} from the order, beyond its service radius of {radius}.', confirmSkills: '“{team}” lacks required skills: {skills}.',
    confirmAssign: 'Assign “{team}”?', noTeamsFound: 'No team found', scope: 'Applies to', everywhere: 'Everywhere',
    countyItemHint: 'This county only: only its residents see and order it',
    skillLabels: 'Skill names', skillLabelsHint: 'Chinese and English names of the skills teams, members and menu items carry', labelZh: 'Chinese', labelEn: 'English', noLabel: '(no name yet)', editSkill: 'Edit skill name',
    dataMenu: 'Data', interop: 'Integrations', imports: 'Import', ledger: 'Ledger export',
  },
};

const initial = (localStorage.getItem('xinyuan.lang') as Lang | null) ?? 'zh';

export const i18n = createI18n({ legacy: false, locale: initial, fallbackLocale: 'zh', messages });

export const lang = computed<Lang>(() => i18n.global.locale.value as Lang);
export const elementLocale = computed(() => (lang.value === 'en' ? en : zhCn));

export function setLang(l: Lang) {
  i18n.global.locale.value = l;
  localStorage.setItem('xinyuan.lang', l);
  document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
}
