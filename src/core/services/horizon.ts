import type { PreInstallCommand, ServiceDescriptor } from './types';

/**
 * Debian's openstack-dashboard-apache asks (debconf) whether to run the dashboard as its own virtual host.
 * Unanswered (a non-interactive install) it keeps Apache's default sites, enabling default-ssl.conf
 * without mod_ssl, and Apache then does not start. Answered yes, without SSL: the dashboard's virtual
 * host on port 80, at /.
 */
const DASHBOARD_VHOST: PreInstallCommand = {
  title: 'debconf: the dashboard as its own virtual host on port 80, without SSL',
  run: "printf '%s\\n' 'openstack-dashboard-apache horizon/activate_vhost boolean true' 'openstack-dashboard-apache horizon/use_ssl boolean false' | debconf-set-selections",
  check:
    '[ "$(echo get horizon/activate_vhost | debconf-communicate openstack-dashboard-apache 2>/dev/null)" = "0 true" ] && [ "$(echo get horizon/use_ssl | debconf-communicate openstack-dashboard-apache 2>/dev/null)" = "0 false" ]',
};

export const horizon: ServiceDescriptor = {
  id: 'horizon',
  ports: [80],
  project: 'horizon',
  title: 'Horizon (Dashboard)',
  description:
    'The web dashboard (guide: "Dashboard"), served by the distribution\'s web server on port 80: sessions and cache in memcached, keystone v3 with the Default domain, the networking panels that match the cloud\'s network option.',
  roles: ['controller'],
  requires: ['keystone', 'memcached'],
  after: ['keystone', 'memcached'],
  singleInstance: true,
  secrets: [],
  // Verify signs in with admin-openrc (and demo-openrc where keystone runs).
  openrc: true,
  profiles: {
    // RDO's package runs under httpd (the guide adds `WSGIApplicationGroup %{GLOBAL}` to its vhost).
    'centos7/train': { packages: ['openstack-dashboard'], units: ['httpd'] },
    // Debian's runs under Apache with mod_wsgi at /horizon; pymemcache: Django's PyMemcacheCache.
    'debian12/zed': { packages: ['openstack-dashboard-apache', 'python3-pymemcache'], units: ['apache2'], preInstall: [DASHBOARD_VHOST], withoutRecommends: true },
  },
  configFiles: [
    {
      name: 'local_settings',
      project: 'horizon',
      description:
        "horizon's Django settings (the guide's /etc/openstack-dashboard/local_settings), written as a snippet that the dashboard reads after the distribution's own settings: `UPPER_CASE_NAME: value`, values as Python literals.",
      oslo: false,
      format: 'python',
      catalog: { service: 'horizon', file: 'local_settings' },
    },
  ],
};
