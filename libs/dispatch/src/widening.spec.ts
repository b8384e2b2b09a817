import { acceptWindowSeconds, decideScope, scopeChain, scopeRegionId } from './widening';

describe('jurisdiction widening', () => {
  const full = { stationId: 'S', townshipId: 'T', countyId: 'C' };

  it('goes station → township → county, skipping levels the order does not have', () => {
    expect(scopeChain(full)).toEqual(['station', 'township', 'county']);
    expect(scopeChain({ stationId: null, townshipId: 'T', countyId: 'C' })).toEqual(['township', 'county']);
    expect(scopeChain({ stationId: null, townshipId: null, countyId: null })).toEqual(['open']);
    expect(scopeRegionId('township', full)).toBe('T');
    expect(scopeRegionId('open', full)).toBeNull();
  });

  const chain = scopeChain(full);

  it('starts in the narrowest scope', () => {
    expect(decideScope(chain, null, { windowElapsed: false, candidatesLeft: null })).toEqual({ action: 'search', scope: 'station' });
  });

  it('stays while the window is open and candidates are left', () => {
    expect(decideScope(chain, 'station', { windowElapsed: false, candidatesLeft: true })).toEqual({ action: 'search', scope: 'station' });
  });

  it('widens when the window has passed, even with candidates left', () => {
    expect(decideScope(chain, 'station', { windowElapsed: true, candidatesLeft: true })).toEqual({ action: 'widen', from: 'station', to: 'township' });
  });

  it('widens when nobody is left in the scope', () => {
    expect(decideScope(chain, 'township', { windowElapsed: false, candidatesLeft: false })).toEqual({ action: 'widen', from: 'township', to: 'county' });
  });

  it('escalates after the widest scope', () => {
    expect(decideScope(chain, 'county', { windowElapsed: true, candidatesLeft: true })).toEqual({ action: 'escalate' });
    expect(decideScope(['open'], 'open', { windowElapsed: false, candidatesLeft: false })).toEqual({ action: 'escalate' });
  });

  it('restarts from the narrowest scope when the stored scope is not in the chain', () => {
    expect(decideScope(['township', 'county'], 'station', { windowElapsed: true, candidatesLeft: false })).toEqual({ action: 'search', scope: 'township' });
  });

  it('gives urgent orders a shorter window, never below the minimum', () => {
    expect(acceptWindowSeconds(900, false, 0.5, 5)).toBe(900);
    expect(acceptWindowSeconds(900, true, 0.5, 5)).toBe(450);
    expect(acceptWindowSeconds(6, true, 0.5, 5)).toBe(5);
  });
});
