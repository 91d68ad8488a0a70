import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, render } from '../../src/core/compile';
import { CommandArtifact, FileArtifact, RenderedCloud } from '../../src/core/render/artifacts';
import { at, codes, lineOf, minimal, only, read, TEST_ENV, TRAIN } from './helpers';

const KEY = '-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQINBGRkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkw\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n';
const DEBIAN_REPOS = `repositories:
  os: http://mirror.example.com/debian
  security: http://mirror.example.com/debian-security
`;

function rendered(text: string): RenderedCloud {
  const a = analyze(text, TEST_ENV);
  assert.deepEqual(
    a.findings.filter((f) => f.severity === 'error'),
    [],
  );
  return render(a);
}
const artifactsOf = (rc: RenderedCloud, node: string) => rc.nodes.find((n) => n.name === node)!.artifacts;
const fileAt = (rc: RenderedCloud, node: string, p: string) => artifactsOf(rc, node).find((a): a is FileArtifact => a.kind === 'file' && a.path === p);
const commandOf = (rc: RenderedCloud, node: string, id: string) => artifactsOf(rc, node).find((a): a is CommandArtifact => a.kind === 'command' && a.id === id);
const packageIds = (rc: RenderedCloud, node: string) => artifactsOf(rc, node).flatMap((a) => (a.step === 'packages' ? [a.id] : []));

describe('repositories: where the nodes get their packages', () => {
  describe('Debian (apt)', () => {
    it('without the key, the nodes keep their own sources: nothing is written or set aside', () => {
      const rc = rendered(minimal());
      assert.deepEqual(packageIds(rc, 'controller'), ['packages/repository-1', 'packages/install']);
      assert.equal(commandOf(rc, 'controller', 'packages/repository-1')!.onChange, undefined);
    });

    it("deb822 sources from the mirror, the distribution's own set aside first, the lists refreshed when the sources change", () => {
      const rc = rendered(minimal(DEBIAN_REPOS));
      const f = fileAt(rc, 'compute1', '/etc/apt/sources.list.d/ostopo.sources')!;
      assert.equal(f.mode, '0644');
      const stanzas = f.content
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n')
        .trim();
      assert.equal(
        stanzas,
        [
          'Types: deb',
          'URIs: http://mirror.example.com/debian',
          'Suites: bookworm bookworm-updates',
          'Components: main',
          'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
          '',
          'Types: deb',
          'URIs: http://mirror.example.com/debian-security',
          'Suites: bookworm-security',
          'Components: main',
          'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
        ].join('\n'),
      );
      assert.deepEqual(packageIds(rc, 'compute1'), ['packages/sources', 'packages/distro-sources-aside', 'packages/repository-1', 'packages/install']);
      assert.deepEqual(commandOf(rc, 'compute1', 'packages/repository-1')!.onChange, ['packages/sources']);
      // Debian 13: the same from its own suite.
      const trixie = rendered(minimal(DEBIAN_REPOS).replace('release: zed', 'release: 2025.1').replace('os: debian12', 'os: debian13'));
      assert.match(fileAt(trixie, 'controller', '/etc/apt/sources.list.d/ostopo.sources')!.content, /^Suites: trixie trixie-updates$[\s\S]*^Suites: trixie-security$/m);
    });

    it('extra keys: an armored key is a file of its own, a URL is fetched (quoted) to a file named after it; both sign the sources', () => {
      const url = 'https://keys.example.com/$x/repo key.asc';
      const text = minimal(`${DEBIAN_REPOS}  gpgKeys:\n    - |\n${KEY.replace(/^/gm, '      ').replace(/ +$/, '')}    - "${url}"\n`.replace('  gpgKeys', '  gpgKeys'));
      const a = analyze(text, TEST_ENV);
      // The URL has a space: refused before it could reach a file or a command.
      assert.deepEqual(codes(a.findings), ['value/shell-metacharacters']);
      assert.equal(a.findings[0].range.start.line + 1, lineOf(text, url));

      const good = 'https://keys.example.com/$x/repo-key.asc';
      const rc = rendered(text.replace(url, good));
      const armored = fileAt(rc, 'controller', '/etc/apt/keyrings/ostopo-1.asc')!;
      assert.equal(armored.content, KEY);
      const fetch = commandOf(rc, 'controller', 'packages/gpg-key-2')!;
      const keyPath = /-o '?(\/etc\/apt\/keyrings\/ostopo-[0-9a-f]{12}\.asc)\.tmp/.exec(fetch.run)![1];
      assert.ok(fetch.run.includes(`'${good}'`), 'the URL reaches the shell in single quotes');
      assert.equal(fetch.check, `test -s ${keyPath}`);
      const sources = fileAt(rc, 'controller', '/etc/apt/sources.list.d/ostopo.sources')!.content;
      assert.match(sources, new RegExp(`^Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg /etc/apt/keyrings/ostopo-1.asc ${keyPath.replace(/\./g, '\\.')}$`, 'm'));
      assert.deepEqual(commandOf(rc, 'controller', 'packages/repository-1')!.onChange, ['packages/gpg-key-1', 'packages/sources']);

      // Another URL is another file: fetched anew, and the sources (then the lists) change with it.
      const other = rendered(text.replace(url, good.replace('$x', 'y')));
      assert.notEqual(/-o '?([^' ]+)\.tmp/.exec(commandOf(other, 'controller', 'packages/gpg-key-2')!.run)![1], keyPath);
      assert.notEqual(fileAt(other, 'controller', '/etc/apt/sources.list.d/ostopo.sources')!.content, sources);
    });
  });

  describe('CentOS 7 (yum), past its end of life', () => {
    it('the vault: OS and OpenStack repositories under it, RDO release from them only, stock repositories blanked after it', () => {
      const rc = rendered(read(TRAIN));
      const osRepo = fileAt(rc, 'controller', '/etc/yum.repos.d/ostopo-os.repo')!.content;
      assert.match(
        osRepo,
        /^\[ostopo-base\]\nname=CentOS 7 base \(ostopo\)\nbaseurl=https:\/\/vault\.centos\.org\/7\.9\.2009\/os\/\$basearch\nenabled=1\ngpgcheck=1\ngpgkey=file:\/\/\/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-CentOS-7$/m,
      );
      assert.match(osRepo, /^baseurl=https:\/\/vault\.centos\.org\/7\.9\.2009\/updates\/\$basearch$/m);
      assert.match(osRepo, /^baseurl=https:\/\/vault\.centos\.org\/7\.9\.2009\/extras\/\$basearch$/m);
      const stack = fileAt(rc, 'controller', '/etc/yum.repos.d/ostopo-openstack.repo')!.content;
      assert.match(stack, /^\[ostopo-openstack-train\]\n.*\nbaseurl=https:\/\/vault\.centos\.org\/7\.9\.2009\/cloud\/\$basearch\/openstack-train\n/m);
      assert.match(stack, /^baseurl=https:\/\/vault\.centos\.org\/7\.9\.2009\/storage\/\$basearch\/ceph-nautilus$/m);
      assert.match(stack, /^baseurl=https:\/\/vault\.centos\.org\/7\.9\.2009\/virt\/\$basearch\/kvm-common$/m);
      assert.deepEqual(packageIds(rc, 'controller'), [
        'packages/os-repo',
        'packages/openstack-repo',
        'packages/repository-1',
        'packages/distro-sources-aside',
        'packages/repository-2',
        'packages/install',
      ]);
      assert.equal(commandOf(rc, 'controller', 'packages/repository-1')!.run, "yum -y --disablerepo='*' --enablerepo='ostopo-*' install centos-release-openstack-train");
      assert.equal(commandOf(rc, 'controller', 'packages/repository-1')!.onChange, undefined);
    });

    it('`repositories.openstack` moves the RDO repository alone; URL keys are handed to yum as they are', () => {
      const text = read(TRAIN).replace(
        '  os: https://vault.centos.org/7.9.2009\n',
        '  os: http://mirror.local/centos/7.9.2009\n  openstack: http://mirror.local/rdo/train/\n  gpgKeys: [https://mirror.local/keys/local.asc]\n',
      );
      const stack = fileAt(rendered(text), 'controller', '/etc/yum.repos.d/ostopo-openstack.repo')!.content;
      assert.match(stack, /^baseurl=http:\/\/mirror\.local\/rdo\/train\/$/m);
      assert.match(stack, /^baseurl=http:\/\/mirror\.local\/centos\/7\.9\.2009\/storage\/\$basearch\/ceph-nautilus$/m);
      assert.match(stack, /^gpgkey=file:\/\/\/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-CentOS-SIG-Cloud https:\/\/mirror\.local\/keys\/local\.asc$/m);
    });
  });

  describe("setting the distribution's own sources aside (the rendered commands, run by the real bash)", () => {
    /** Runs a command and its check in a fake root: the profile's absolute paths moved under it. */
    function inRoot(root: string, c: CommandArtifact) {
      const sh = (script: string) => spawnSync('bash', ['-c', script.replaceAll('/etc/', `${root}/etc/`)], { encoding: 'utf8' });
      return { run: () => sh(c.run), check: () => sh(c.check!).status === 0 };
    }

    it('apt: renamed to NAME.ostopo-disabled; a second run has nothing to do', () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-aside-'));
      try {
        fs.mkdirSync(path.join(root, 'etc/apt/sources.list.d'), { recursive: true });
        fs.writeFileSync(path.join(root, 'etc/apt/sources.list.d/debian.sources'), 'Types: deb\n');
        fs.writeFileSync(path.join(root, 'etc/apt/sources.list.d/other.sources'), 'Types: deb\n');
        const c = inRoot(root, commandOf(rendered(minimal(DEBIAN_REPOS)), 'controller', 'packages/distro-sources-aside')!);
        assert.equal(c.check(), false);
        assert.equal(c.run().status, 0);
        assert.deepEqual(fs.readdirSync(path.join(root, 'etc/apt/sources.list.d')).sort(), ['debian.sources.ostopo-disabled', 'other.sources']);
        assert.equal(fs.readFileSync(path.join(root, 'etc/apt/sources.list.d/debian.sources.ostopo-disabled'), 'utf8'), 'Types: deb\n');
        assert.equal(c.check(), true);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('yum: blanked with a pointer to the copy (rpm keeps an edited config file on upgrade); blank ones are left alone', () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostopo-aside-'));
      try {
        const dir = path.join(root, 'etc/yum.repos.d');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'CentOS-Base.repo'), '[base]\nmirrorlist=http://mirrorlist.centos.org/\n');
        fs.writeFileSync(path.join(dir, 'CentOS-Sources.repo'), '# only comments\n');
        fs.writeFileSync(path.join(dir, 'ostopo-os.repo'), '[ostopo-base]\n');
        const c = inRoot(root, commandOf(rendered(read(TRAIN)), 'controller', 'packages/distro-sources-aside')!);
        assert.equal(c.check(), false);
        const r = c.run();
        assert.equal(r.status, 0);
        assert.match(r.stdout, /set aside: .*CentOS-Base\.repo\n$/);
        assert.equal(fs.readFileSync(path.join(dir, 'CentOS-Base.repo.ostopo-disabled'), 'utf8'), '[base]\nmirrorlist=http://mirrorlist.centos.org/\n');
        assert.match(fs.readFileSync(path.join(dir, 'CentOS-Base.repo'), 'utf8'), /^# Set aside by ostopo .*: the original is .*CentOS-Base\.repo\.ostopo-disabled\n$/);
        assert.equal(fs.existsSync(path.join(dir, 'CentOS-Sources.repo.ostopo-disabled')), false);
        assert.equal(fs.readFileSync(path.join(dir, 'ostopo-os.repo'), 'utf8'), '[ostopo-base]\n');
        assert.equal(c.check(), true);
        assert.equal(c.run().stdout, '', 'a second run sets nothing aside');
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  });

  describe('findings', () => {
    it('profile/end-of-life-repositories: CentOS 7 without `repositories.os`, on `os`; none with it', () => {
      const text = read(TRAIN).replace(/^repositories:\n {2}os: .*\n/m, '');
      const f = only(analyze(text, TEST_ENV).findings, 'profile/end-of-life-repositories');
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'warning');
      assert.equal(at(f[0]), `${lineOf(text, 'os: centos7')}:5`);
      assert.match(f[0].message, /end of life \(2024-06-30\).*`repositories\.os` \(a vault such as https:\/\/vault\.centos\.org\/7\.9\.2009/);
      assert.deepEqual(only(analyze(read(TRAIN), TEST_ENV).findings, 'profile/end-of-life-repositories'), []);
    });

    it('repositories/unused and repositories/insecure-key-url, on their lines', () => {
      const text = minimal(`${DEBIAN_REPOS}  openstack: http://mirror.example.com/rdo\n  gpgKeys: [http://mirror.example.com/key.asc]\n`);
      const f = analyze(text, TEST_ENV).findings;
      assert.deepEqual(codes(f), ['repositories/unused', 'repositories/insecure-key-url']);
      assert.equal(f[0].range.start.line + 1, lineOf(text, '  openstack:'));
      assert.match(f[0].message, /Debian carries OpenStack in its main archive/);
      assert.equal(f[1].range.start.line + 1, lineOf(text, '  gpgKeys:'));
      const centos = read(TRAIN).replace('  os: https://vault.centos.org/7.9.2009\n', '  os: https://vault.centos.org/7.9.2009\n  security: https://x.example.com/\n');
      assert.deepEqual(codes(analyze(centos, TEST_ENV).findings), ['repositories/unused']);
    });

    it('the schema: `os` is required, URLs are http(s) or file and carry no spaces, quotes or shell syntax, keys are armored or URLs', () => {
      const find = (extra: string) => codes(analyze(minimal(`repositories:\n${extra}`), TEST_ENV).findings);
      assert.deepEqual(find('  security: http://mirror.example.com/debian-security\n'), ['schema/required']);
      assert.deepEqual(find('  os: ftp://mirror.example.com/debian\n'), ['schema/pattern']);
      assert.deepEqual(find('  os: "http://mirror.example.com/debian\'$(touch x)\'"\n'), ['value/shell-metacharacters']);
      assert.deepEqual(find('  os: "http://mirror.example.com/debian main"\n'), ['value/shell-metacharacters']);
      assert.deepEqual(find('  os: http://user:pw@mirror.example.com/debian\n'), ['schema/pattern']);
      assert.deepEqual(find('  os: file:///srv/mirror/debian\n'), []);
      assert.deepEqual(find('  os: http://mirror.example.com:8080/debian\n  gpgKeys: ["not-a-key"]\n'), ['schema/pattern']);
    });
  });
});
