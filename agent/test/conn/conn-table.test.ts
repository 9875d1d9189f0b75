import assert from 'node:assert/strict';
import { ConnTable } from '../../src/conn/conn-table.js';

describe('ConnTable', () => {
  it('keeps connections that share a generation apart, and deletes from the chain', () => {
    const t = new ConnTable();
    const a = t.getOrCreate(1, 10, 3, 777);
    const b = t.getOrCreate(2, 20, 3, 777);
    const c = t.getOrCreate(1, 10, 4, 777);
    assert.equal(t.size, 3);
    assert.equal(t.get(2, 20, 3, 777), b);
    assert.equal(t.getOrCreate(1, 10, 3, 777), a);
    t.delete(b);
    assert.equal(t.get(2, 20, 3, 777), undefined);
    assert.equal(t.get(1, 10, 4, 777), c);
    t.delete(c);
    t.delete(a);
    assert.equal(t.size, 0);
    assert.deepEqual(t.all(), []);
  });
  it('tells a reused fd apart by generation', () => {
    const t = new ConnTable();
    const first = t.getOrCreate(1, 10, 5, 100);
    const second = t.getOrCreate(1, 10, 5, 200);
    assert.notEqual(first, second);
  });
  it('tells apart generations whose low 30 bits agree (one hash chain), past 2^32 too', () => {
    const t = new ConnTable();
    const gens = [5, 5 + 2 ** 30, 5 + 2 ** 32, 5 + 2 ** 40 + 2 ** 31, 1.7e15 + 5 - (1.7e15 % 2 ** 30)];
    const made = gens.map((g) => t.getOrCreate(1, 10, 3, g));
    assert.equal(new Set(made).size, gens.length);
    gens.forEach((g, i) => assert.equal(t.get(1, 10, 3, g), made[i]));
    t.delete(made[2]!);
    assert.equal(t.get(1, 10, 3, gens[2]!), undefined);
    assert.equal(t.get(1, 10, 3, gens[3]!), made[3]);
    assert.equal(t.size, gens.length - 1);
  });
});
