import * as assert from 'node:assert/strict';
import { analyze } from '../../src/core/compile';
import { completeAt } from '../../src/core/editor/complete';
import { cursorContext } from '../../src/core/editor/cursor';
import { fixesFor } from '../../src/core/editor/fixes';
import { hoverAt, outline, renameNode } from '../../src/core/editor/navigate';
import { FixEdit, Position } from '../../src/core/findings';
import { ParsedDocument } from '../../src/core/parse';
import { minimal } from './helpers';
import { SECRET_NAMES, SECRETS_OF_UNDEPLOYED, SERVICE_IDS, secretsOf } from '../../src/core/services/registry';

/** `|` marks the cursor in these texts. */
function at(textWithCursor: string): { text: string; pos: Position } {
  const i = textWithCursor.indexOf('|');
  const text = textWithCursor.slice(0, i) + textWithCursor.slice(i + 1);
  const before = text.slice(0, i).split('\n');
  return { text, pos: { line: before.length - 1, character: before[before.length - 1].length } };
}

const labels = (textWithCursor: string) => {
  const { text, pos } = at(textWithCursor);
  return completeAt(analyze(text, {}), text, pos).map((e) => e.label);
};

function apply(text: string, edits: FixEdit[]): string {
  const doc = new ParsedDocument(text);
  const sorted = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, doc.offsetAt(e.range.start)) + e.newText + out.slice(doc.offsetAt(e.range.end));
  return out;
}

describe('editor core', () => {
  describe('cursor context on half-typed YAML', () => {
    it('a key inside a node', () => {
      const { text, pos } = at('nodes:\n  ctl:\n    address: 10.0.0.1\n    ro|\n');
      const c = cursorContext(text, pos);
      assert.deepEqual([c.parent, c.kind, c.prefix, c.siblings], [['nodes', 'ctl'], 'key', 'ro', ['address']]);
    });

    it('a value, a flow list item, a block list item and a list under its key without indent', () => {
      let { text, pos } = at('nodes:\n  ctl:\n    address: 10.0.0.1\nrelease: z|');
      assert.deepEqual(((c) => [c.parent, c.kind, c.key, c.prefix])(cursorContext(text, pos)), [[], 'value', 'release', 'z']);
      ({ text, pos } = at('nodes:\n  ctl:\n    roles: [controller, c|]\n'));
      assert.deepEqual(((c) => [c.parent, c.kind])(cursorContext(text, pos)), [['nodes', 'ctl', 'roles'], 'item']);
      ({ text, pos } = at('nodes:\n  ctl:\n    services:\n      - mariadb\n      - gl|\n'));
      assert.deepEqual(((c) => [c.parent, c.kind, c.prefix])(cursorContext(text, pos)), [['nodes', 'ctl', 'services'], 'item', 'gl']);
      ({ text, pos } = at('nodes:\n  ctl:\n    services:\n    - mariadb\n    - |\n'));
      assert.deepEqual(cursorContext(text, pos).parent, ['nodes', 'ctl', 'services']);
    });

    it('comments and blank lines do not confuse the parent path', () => {
      const { text, pos } = at('nodes:\n  # the controller\n  ctl:\n\n    # address next\n    |\n');
      assert.deepEqual(cursorContext(text, pos).parent, ['nodes', 'ctl']);
    });
  });

  describe('completion', () => {
    it('top-level keys not yet written, and a whole-topology snippet in an empty file', () => {
      assert.ok(labels('|').includes('ostopo topology'));
      const l = labels(minimal() + '|');
      assert.ok(l.includes('ntp') && l.includes('config') && !l.includes('nodes'));
    });

    it('nothing right after a key and its colon: Enter there ends the line, as in any YAML', () => {
      // In VS Code, ':' typed opened the list and Enter took its first item: `nova:` became `nova:glance:`.
      for (const t of ['config:|', 'config:\n  nova:|', 'config:\n  nova:\n    nova.conf:\n      api:|', 'release:|', 'nodes:\n  compute1:\n    config:|']) assert.deepEqual(labels(minimal(t)), [], t);
      // With the space a value is expected, and offered.
      assert.deepEqual(labels(minimal().replace('os: debian12', 'os: |')), ['centos7', 'debian12', 'debian13']);
    });

    it('snippets where they fit: a node under nodes, an override under config, a secret under secrets; none in value lists', () => {
      const snippets = (t: string) => {
        const { text, pos } = at(t);
        return completeAt(analyze(text, {}), text, pos)
          .filter((e) => e.kind === 'snippet')
          .map((e) => e.label);
      };
      assert.deepEqual(snippets(minimal().replace('nodes:\n', 'nodes:\n  |\n')), ['ostopo-node']);
      assert.deepEqual(snippets(minimal('config:\n  |')), ['ostopo-override']);
      assert.deepEqual(snippets(minimal().replace('  compute1:\n', '  compute1:\n    config:\n      |\n')), ['ostopo-override']);
      assert.deepEqual(snippets(minimal().replace('secrets:\n', 'secrets:\n  |\n')), ['ostopo-secret']);
      assert.deepEqual(snippets(minimal().replace('release: zed', 'release: |')), []);
      assert.deepEqual(snippets(minimal('ntp:\n  |')), []);
    });

    it('enum values, roles not yet listed, services, node names', () => {
      assert.deepEqual(labels(minimal().replace('os: debian12', 'os: |')), ['centos7', 'debian12', 'debian13']);
      assert.deepEqual(labels(minimal().replace('roles: [compute]', 'roles: [compute, |]')), ['controller', 'network', 'block', 'ceph']);
      assert.ok(labels(minimal().replace('roles: [compute]', 'services: [|]')).includes('nova-compute'));
      assert.deepEqual(labels(minimal('ntp:\n  server: |')), ['controller', 'compute1']);
    });

    it('a service or role that would not validate on the node says why and comes last', () => {
      const { text, pos } = at(minimal().replace('roles: [compute]', 'roles: [compute]\n    services: [|]'));
      const items = completeAt(analyze(text, {}), text, pos);
      const glance = items.find((i) => i.label === 'glance');
      assert.equal(glance?.detail, '✗ runs on `controller` already (one per cloud)');
      assert.ok(glance.sortText! > (items.find((i) => i.label === 'nova-compute')?.sortText ?? 'nova-compute'), 'listed after the valid ones');
      assert.doesNotMatch(items.find((i) => i.label === 'nova-compute')?.detail ?? '', /✗/);
      const roles = at(minimal().replace('roles: [compute]', 'roles: [compute, |]'));
      const controller = completeAt(analyze(roles.text, {}), roles.text, roles.pos).find((i) => i.label === 'controller');
      assert.match(controller?.detail ?? '', /^✗ `\w[\w-]*` of this role runs on `controller` already/);
      const epoxy = at(minimal().replace('release: zed', "release: '2025.1'").replace('os: debian12', 'os: debian13').replace('roles: [compute]', 'roles: [compute]\n    services: [|]'));
      const lb = completeAt(analyze(epoxy.text, {}), epoxy.text, epoxy.pos).find((i) => i.label === 'neutron-linuxbridge-agent');
      assert.match(lb?.detail ?? '', /^✗ not available on .*2025\.1/);
    });

    it('secret names the cloud does not define yet, needed ones first', () => {
      const { text, pos } = at(
        minimal()
          .replace(/ {2}NOVA_PASS: .*\n/, '')
          .replace('secrets:\n', 'secrets:\n  |\n'),
      );
      const items = completeAt(analyze(text, {}), text, pos);
      assert.equal(items.find((i) => i.label === 'NOVA_PASS')?.detail, 'needed by this cloud');
      assert.ok(!items.some((i) => i.label === 'ADMIN_PASS'), 'defined secrets are not proposed');
    });

    it('config overrides: sections and options of the file from the option catalog, with their help', () => {
      assert.ok(labels(minimal('config:\n  nova:\n    nova.conf:\n      |')).includes('scheduler'));
      const { text, pos } = at(minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        |'));
      const opt = completeAt(analyze(text, {}), text, pos).find((i) => i.label === 'debug')!;
      assert.equal(opt.detail, 'boolean');
      assert.match(opt.documentation!, /Type: boolean/);
      assert.deepEqual(labels(minimal('config:\n  nova:\n    nova.conf:\n      DEFAULT:\n        debug: |')), ['true', 'false']);
    });
  });

  describe('hover', () => {
    const text = minimal('ntp:\n  server: controller\nconfig:\n  nova:\n    nova.conf:\n      DEFAULT:\n        debug: true\n');
    const a = analyze(text, {});
    const hover = (needle: string, offset = 1) => {
      const i = text.indexOf(needle);
      return hoverAt(a, a.doc.positionAt(i + offset))?.markdown ?? '';
    };

    it('documents keys from the schema', () => {
      assert.match(hover('release'), /OpenStack release/);
      assert.match(hover('cidr'), /Network of the node addresses/);
    });

    it('a node reference shows the node; a secret shows where it is used, never its value', () => {
      assert.match(hover('server: controller', 9), /node `controller`\*\* — 10\.0\.0\.11/);
      const s = hover('NOVA_PASS');
      assert.match(s, /Used by: .*nova-compute on compute1/);
      assert.doesNotMatch(s, /Str0ng-Nova-Pass-1/);
    });

    it("the guide's secrets of services ostopo does not deploy yet: known names, the hover says whose they are", () => {
      const t2 = minimal().replace('secrets:\n', 'secrets:\n  HEAT_PASS: Str0ng-Heat-Pass-1\n  CINDER_PASS: ${env:CINDER_PASS}\n  SWIFT_PASS: Str0ng-Swift-Pass-1\n');
      const a2 = analyze(t2, {});
      assert.deepEqual(
        a2.findings.filter((f) => f.code === 'secret/unknown-name'),
        [],
      );
      const h = (needle: string) => hoverAt(a2, a2.doc.positionAt(t2.indexOf(needle) + 1))?.markdown ?? '';
      assert.match(h('HEAT_PASS'), /keystone user `heat`[\s\S]*Used by: heat \(Orchestration\), which ostopo does not deploy yet\./);
      // cinder is deployed (a node with the `block` role places it), just not in this cloud.
      assert.match(h('CINDER_PASS'), /Used by: no service placed in this cloud\./);
      assert.doesNotMatch(h('SWIFT_PASS'), /Str0ng-Swift-Pass-1/);
      // Every known secret is used by a service ostopo deploys, or named as one of a service it does not deploy yet (not both).
      for (const n of SECRET_NAMES) {
        const used = SERVICE_IDS.some((s) => secretsOf(s).includes(n));
        assert.ok(used !== n in SECRETS_OF_UNDEPLOYED, `${n}: used by a descriptor ${used}, listed as not deployed yet ${n in SECRETS_OF_UNDEPLOYED}`);
      }
    });

    it('an override option shows its oslo.config help, type and default', () => {
      assert.match(hover('debug: true'), /\*\*\[DEFAULT\] debug\*\* \(boolean\)/);
    });
  });

  describe('quick fixes', () => {
    const fixed = (text: string, code: string, title: RegExp) => {
      const a = analyze(text, {});
      const f = a.findings.find((x) => x.code === code);
      assert.ok(f, `${code} in ${a.findings.map((x) => x.code).join(', ')}`);
      const fix = fixesFor(a, f).find((x) => title.test(x.title));
      assert.ok(
        fix,
        fixesFor(a, f)
          .map((x) => x.title)
          .join(', '),
      );
      const out = apply(text, fix.edits);
      assert.ok(!analyze(out, {}).findings.some((x) => x.code === code), `fixed:\n${out}`);
      return out;
    };

    it('did you mean', () => {
      fixed(minimal().replace('release: zed', 'release: zde'), 'schema/enum', /Change to `zed`/);
      fixed(minimal().replace('roles: [compute]', 'roles: [compte]'), 'ref/unknown-role', /compute/);
    });

    it('a missing secret gets a strong generated value; a weak one is replaced', () => {
      const out = fixed(minimal().replace(/ {2}GLANCE_PASS: .*\n/, ''), 'secret/missing', /Add GLANCE_PASS with a generated/);
      assert.match(out, /^ {2}GLANCE_PASS: [A-Za-z0-9]{24}$/m);
      fixed(minimal().replace('Str0ng-Rabbit-Pass-1', "'123456'"), 'secret/weak', /Replace RABBIT_PASS/);
    });

    it('a missing prerequisite is added to the controller, in flow or block lists', () => {
      const text = minimal().replace('roles: [controller]', 'services: [chrony, mariadb, rabbitmq, memcached, keystone, glance, nova-api, nova-scheduler, nova-conductor, neutron-server]');
      const out = fixed(text, 'service/missing-prerequisite', /Add `placement` to node `controller`/);
      assert.match(out, /neutron-server, placement\]/);
      const block = minimal().replace(
        '    roles: [controller]\n',
        '    services:\n      - mariadb\n      - rabbitmq\n      - memcached\n      - keystone\n      - glance\n      - nova-api\n      - nova-scheduler\n      - nova-conductor\n      - neutron-server\n',
      );
      assert.match(fixed(block, 'service/missing-prerequisite', /placement/), / {6}- neutron-server\n {6}- placement\n/);
    });

    it('a second instance of a one-per-cloud service is removed from the node, in flow or block lists', () => {
      const flow = fixed(
        minimal().replace('roles: [compute]', 'roles: [compute]\n    services: [glance, chrony]'),
        'service/multiple-instances',
        /Remove `glance` from `compute1` \(it runs on `controller`\)/,
      );
      assert.match(flow, /services: \[chrony\]/);
      assert.match(fixed(minimal().replace('roles: [compute]', 'roles: [compute]\n    services: [chrony, glance]'), 'service/multiple-instances', /Remove/), /services: \[chrony\]\n/);
      assert.match(fixed(minimal().replace('roles: [compute]', 'roles: [compute]\n    services: [glance]'), 'service/multiple-instances', /Remove/), /services: \[\]\n/);
      const block = fixed(minimal().replace('roles: [compute]', 'roles: [compute]\n    services:\n      - chrony\n      - glance\n'), 'service/multiple-instances', /Remove/);
      assert.match(block, /services:\n {6}- chrony\n\n?$/);
      assert.equal(analyze(block, {}).findings.filter((f) => f.code === 'service/multiple-instances').length, 0);
    });

    it('a secret whose variable is unset can take a generated value instead', () => {
      const out = fixed(minimal().replace('Str0ng-Demo-Pass-1', '${env:OSTOPO_UNSET_DEMO}'), 'secret/env-unset', /Replace with a generated strong value/);
      assert.match(out, /^ {2}DEMO_PASS: [A-Za-z0-9]{24}$/m);
    });

    it('a duplicate address gets a free one of the management network', () => {
      const out = fixed(minimal().replace('10.0.0.31', '10.0.0.11'), 'node/duplicate-address', /Use the free address 10\.0\.0\.12/);
      assert.match(out, /address: 10\.0\.0\.12/);
    });
  });

  it('outline: top-level keys, nodes with address and roles, secrets by name only', () => {
    const o = outline(analyze(minimal(), {}));
    const nodes = o.find((s) => s.name === 'nodes')!;
    assert.deepEqual(
      nodes.children.map((c) => [c.name, c.detail]),
      [
        ['controller', '10.0.0.11 · controller'],
        ['compute1', '10.0.0.31 · compute'],
      ],
    );
    assert.ok(!JSON.stringify(o).includes('Str0ng'), 'no secret value in the outline');
  });

  it('rename a node: its key and every reference; invalid or taken names are refused', () => {
    const text = minimal('ntp:\n  server: controller\n');
    const a = analyze(text, {});
    const pos = a.doc.positionAt(text.indexOf('  controller:') + 3);
    const r = renameNode(a, pos, 'ctl');
    assert.ok('edits' in r);
    const out = apply(text, r.edits);
    assert.match(out, /^ {2}ctl:$/m);
    assert.match(out, /^ {2}server: ctl$/m);
    assert.deepEqual(analyze(out, {}).findings, []);
    assert.ok('error' in renameNode(a, pos, 'Bad_Name'));
    assert.ok('error' in renameNode(a, pos, 'compute1'));
  });
});
