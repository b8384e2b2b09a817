import { mapHeaders, naturalKey, readBeneficiaryRow, rowDigest } from './beneficiary-rows';
import { decodeCsv, parseCsv } from './table-reader';

const HEADER = ['姓名', '年龄段', '地址', '纬度', '经度', '类别', '身份证号', '联系电话', '监护人姓名', '监护人电话', '监护人关系'];

describe('beneficiary rows of a spreadsheet', () => {
  const { index, missing } = mapHeaders(HEADER);

  it('maps the template\'s headers (and English ones) and names the missing required columns in Chinese', () => {
    expect(missing).toEqual([]);
    expect(mapHeaders(['name', 'ageBand', 'address', 'lat', 'lng']).missing).toEqual([]);
    expect(mapHeaders(['姓名', '地址']).missing).toEqual(['年龄段', '纬度', '经度']);
  });

  it('reads a good row, Chinese words and +86 numbers included', () => {
    const { value, problems } = readBeneficiaryRow(2, ['王桂英', '80岁及以上', '古城路18号', '30.6', '119.7', '独居老人、低保', '33052319350101123x', '+86 139 1234 5678', '王建国', '0572-5012345', '儿子'], index);
    expect(problems).toEqual([]);
    expect(value).toEqual({
      name: '王桂英', ageBand: '80_plus', address: '古城路18号', lat: 30.6, lng: 119.7, tags: ['living_alone', 'low_income'], idNumber: '33052319350101123X',
      phone: '13912345678', guardian: { name: '王建国', phone: '0572-5012345', relation: '儿子' },
    });
    expect(naturalKey(value!)).toBe('id:33052319350101123X');
    expect(rowDigest(value!)).toBe(rowDigest({ ...value!, tags: ['low_income', 'living_alone'] }));
  });

  it('lists every problem of a row by column, in Chinese', () => {
    const { value, problems } = readBeneficiaryRow(7, ['', '九十岁', '', 'abc', '200', '孤寡', '123', '1234', '', '13812341234', ''], index);
    expect(value).toBeUndefined();
    expect(problems.map((p) => p.column)).toEqual(['姓名', '年龄段', '地址', '纬度', '经度', '类别', '身份证号', '联系电话', '监护人姓名']);
    expect(problems.every((p) => p.row === 7 && /[\u4e00-\u9fa5]/.test(p.message))).toBe(true);
  });

  it('parses CSV as Excel writes it: quotes, CRLF, BOM, GB18030', () => {
    expect(parseCsv('a,"b,""c"""\r\n1,2\n')).toEqual([['a', 'b,"c"'], ['1', '2']]);
    expect(decodeCsv(Buffer.from('\uFEFF姓名', 'utf8'))).toBe('姓名');
    expect(decodeCsv(Buffer.from([0xd0, 0xd5, 0xc3, 0xfb]))).toBe('姓名'); // GBK bytes
  });
});
