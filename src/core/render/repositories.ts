import { Repositories, ResolvedNode } from '../model';
import { PackageSources, YumRepo } from '../profiles';
import { RenderContext } from './context';
import { createHash } from 'node:crypto';
import { shq } from './template';

/** A key of `repositories.gpgKeys` written out as it is (ASCII-armored), rather than fetched from a URL. */
export const isArmoredKey = (k: string): boolean => k.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----');

/**
 * The guide's "OpenStack packages" step: where packages come from (the topology's `repositories`, when it
 * gives them: ostopo's source files, the extra keys, the distribution's own sources set aside), then the
 * profile's repository commands and the OpenStack client.
 */
export function renderPackages(ctx: RenderContext, node: ResolvedNode): void {
  const { profile } = ctx;
  const repos = ctx.cloud.repositories?.os ? ctx.cloud.repositories : undefined;
  const src = profile.packageSources;
  const step = 'packages';
  const sourceFiles = repos ? writeSources(ctx, node, src, repos) : [];
  const disable = () =>
    ctx.command(node, {
      id: `${step}/distro-sources-aside`,
      step,
      service: 'base',
      title: `set the distribution's own sources aside (${src.distroFiles}), so that only the topology's repositories are used`,
      // Kept as NAME.ostopo-disabled: `mv NAME.ostopo-disabled NAME` puts one back. Globs come from the profile, not the topology.
      run:
        src.setAside === 'rename'
          ? `for f in ${src.distroFiles}; do if [ -e "$f" ]; then mv -f -- "$f" "$f.ostopo-disabled"; echo "set aside: $f"; fi; done`
          : `for f in ${src.distroFiles}; do if grep -q '^[^#]' "$f" 2>/dev/null; then cp -p -- "$f" "$f.ostopo-disabled" && printf '# Set aside by ostopo (the repositories of the topology are used): the original is %s.ostopo-disabled\\n' "$f" > "$f"; echo "set aside: $f"; fi; done`,
      check:
        src.setAside === 'rename' ? `for f in ${src.distroFiles}; do [ -e "$f" ] && exit 1; done; exit 0` : `for f in ${src.distroFiles}; do grep -q '^[^#]' "$f" 2>/dev/null && exit 1; done; exit 0`,
    });
  if (repos && src.disableAfter < 0) disable();
  profile.repository.commands.forEach((c, i) => {
    ctx.command(node, {
      id: `${step}/repository-${i + 1}`,
      step,
      service: 'base',
      title: c.title,
      run: repos && c.withRepositories ? c.withRepositories : c.run,
      check: c.check,
      // New sources: the package lists are refreshed whatever the check says.
      onChange: c.refresh && sourceFiles.length ? sourceFiles : undefined,
      packages: true,
    });
    if (repos && src.disableAfter === i) disable();
  });
  ctx.install(node, step, 'base', profile.repository.packages, `install ${profile.repository.packages.join(' ')} (${profile.repository.description})`);
}

/** The source files and key files of `repositories`; returns the ids of the files. */
function writeSources(ctx: RenderContext, node: ResolvedNode, src: PackageSources, repos: Repositories): string[] {
  const step = 'packages';
  const ids: string[] = [];
  const keys: string[] = []; // where each extra key is on the node (path), or its URL (yum reads URLs itself)
  repos.gpgKeys.forEach((k, i) => {
    // A key fetched from a URL is named after the URL: another URL is another file (fetched, and named in the sources).
    const armored = isArmoredKey(k);
    const path = `${src.keysDir}/ostopo-${armored ? i + 1 : createHash('sha256').update(k).digest('hex').slice(0, 12)}.asc`;
    if (armored) {
      ctx.file(node, {
        id: `${step}/gpg-key-${i + 1}`,
        step,
        service: 'base',
        path,
        content: k.endsWith('\n') ? k : `${k}\n`,
        description: `Extra repository key ${i + 1} of \`repositories.gpgKeys\` (ASCII-armored).`,
      });
      ids.push(`${step}/gpg-key-${i + 1}`);
      keys.push(src.kind === 'yum' ? `file://${path}` : path);
    } else if (src.kind === 'yum') {
      keys.push(k);
    } else {
      // apt reads keys from files only: fetched once, over the URL given (quoted), replaced when the URL changes.
      ctx.command(node, {
        id: `${step}/gpg-key-${i + 1}`,
        step,
        service: 'base',
        title: `fetch repository key ${i + 1} from ${k}`,
        run: `mkdir -p ${shq(src.keysDir)} && curl -fsSL --proto '=https,http,file' -o ${shq(`${path}.tmp`)} ${shq(k)} && mv -f ${shq(`${path}.tmp`)} ${shq(path)}`,
        check: `test -s ${shq(path)}`,
      });
      keys.push(path);
    }
  });
  const header = (what: string) => ctx.header(what).map((h) => `# ${h}`);
  if (src.kind === 'apt') {
    const signedBy = [src.keyring, ...keys].join(' ');
    const stanzas: string[][] = [];
    stanzas.push(['Types: deb', `URIs: ${repos.os}`, `Suites: ${src.suite} ${src.suite}-updates`, 'Components: main', `Signed-By: ${signedBy}`]);
    if (repos.security) stanzas.push(['Types: deb', `URIs: ${repos.security}`, `Suites: ${src.suite}-security`, 'Components: main', `Signed-By: ${signedBy}`]);
    ctx.file(node, {
      id: `${step}/sources`,
      step,
      service: 'base',
      path: src.file,
      language: 'properties',
      content: [...header(src.file), '# From `repositories` (deb822 format; see sources.list(5)).', ...stanzas.flatMap((s) => ['', ...s])].join('\n') + '\n',
      description: `apt sources from the topology's \`repositories\` (${[repos.os, repos.security].filter(Boolean).join(', ')}); the distribution's own are set aside.`,
    });
    return [...ids, `${step}/sources`];
  }
  const group = (name: string, title: string, list: { repo: YumRepo; url: string }[]) => {
    const path = src.file.replace('{group}', name);
    const body = list.flatMap(({ repo, url }) => ['', `[${repo.id}]`, `name=${repo.name} (ostopo)`, `baseurl=${url}`, 'enabled=1', 'gpgcheck=1', `gpgkey=${[repo.gpgKey, ...keys].join(' ')}`]);
    ctx.file(node, {
      id: `${step}/${name}-repo`,
      step,
      service: 'base',
      path,
      language: 'ini',
      content: [...header(path), `# ${title}, from \`repositories\`.`, ...body].join('\n') + '\n',
      description: `yum repositories: ${title}.`,
    });
    ids.push(`${step}/${name}-repo`);
  };
  const under = (base: string, path: string) => `${base.replace(/\/+$/, '')}/${path}`;
  const os = repos.os!;
  group(
    'os',
    'the operating system',
    src.os.map((repo) => ({ repo, url: under(os, repo.path) })),
  );
  group(
    'openstack',
    'OpenStack and the repositories it needs',
    src.openstack.map((repo, i) => ({ repo, url: i === 0 && repos.openstack ? repos.openstack : under(os, repo.path) })),
  );
  return ids;
}
