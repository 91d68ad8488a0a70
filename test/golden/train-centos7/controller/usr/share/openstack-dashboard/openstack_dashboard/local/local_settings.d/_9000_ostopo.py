# local_settings - rendered by ostopo for cloud "guide-train" (CentOS 7 / OpenStack Train (RDO)).
# Managed file: change the topology, not this file; ostopo reports edits made here as drift.

OPENSTACK_KEYSTONE_URL = "http://controller:5000/v3"
ALLOWED_HOSTS = ["controller", "10.0.0.11", "localhost"]
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.memcached.MemcachedCache",
        "LOCATION": "controller:11211",
    },
}
OPENSTACK_KEYSTONE_MULTIDOMAIN_SUPPORT = True
OPENSTACK_API_VERSIONS = {
    "identity": 3,
    "image": 2,
    "volume": 3,
}
OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = "Default"
OPENSTACK_KEYSTONE_DEFAULT_ROLE = "member"
OPENSTACK_NEUTRON_NETWORK = {
    "enable_router": True,
    "enable_quotas": True,
    "enable_distributed_router": False,
    "enable_ha_router": False,
    "enable_fip_topology_check": True,
}
TIME_ZONE = "UTC"
