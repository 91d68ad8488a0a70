import type { PreInstallCommand } from './types';

/**
 * Masks units a package brings that cannot start in a container (test nodes, LXC, systemd-nspawn), where
 * the node is one, before the package is installed; a real host keeps them (the check passes there).
 */
function maskInContainers(title: string, units: string[]): PreInstallCommand {
  return {
    title,
    run: `systemctl mask ${units.join(' ')}`,
    check: `! systemd-detect-virt --container --quiet || [ "$(systemctl is-enabled ${units[0]} 2>/dev/null)" = masked ]`,
  };
}

/** nova's and cinder's packages pull in open-iscsi (python3-os-brick), whose units cannot start in a container. */
export const MASK_ISCSI_IN_CONTAINERS = maskInContainers('mask the open-iscsi units when the node is a container (they cannot start there)', ['iscsid.socket', 'iscsid.service', 'open-iscsi.service']);

/** ceph-osd recommends nvme-cli, whose nvmf-autoconnect unit fails in a container (the node is then degraded). */
export const MASK_NVMF_IN_CONTAINERS = maskInContainers('mask nvmf-autoconnect when the node is a container (it cannot start there)', ['nvmf-autoconnect.service']);
