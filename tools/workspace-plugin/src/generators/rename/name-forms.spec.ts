import { checkedNames, renamer } from './name-forms';

const ACME = { scope: '@acme', protoPackage: 'acme' };
// Different words for the two names, so each form shows which one it took.
const rename = renamer(ACME, { scope: '@my-co', protoPackage: 'myco' });

describe('renamer', () => {
  it.each([
    // The proto package, wherever protobuf and its generated code put it.
    ['package acme.user.v1;', 'package myco.user.v1;'],
    ['option (acme.auth.v1.access) = {', 'option (myco.auth.v1.access) = {'],
    ['import "acme/auth/v1/access.proto";', 'import "myco/auth/v1/access.proto";'],
    ['proto/acme/user/v1/user.proto', 'proto/myco/user/v1/user.proto'],
    ['see proto/acme/ and `acme/`', 'see proto/myco/ and `myco/`'],
    ["from './gen/acme/user/v1/user_pb'", "from './gen/myco/user/v1/user_pb'"],
    [String.raw`/^export \* as \w+ from '\.\/gen\/acme\/.+';$/`, String.raw`/^export \* as \w+ from '\.\/gen\/myco\/.+';$/`],
    ['file_acme_user_v1_user', 'file_myco_user_v1_user'],
    [String.raw`/"method":"\/acme\.user\.v1\.UserService\/GetUser"/`, String.raw`/"method":"\/myco\.user\.v1\.UserService\/GetUser"/`],
    ['"^acme\\\\.order\\\\.v1"', '"^myco\\\\.order\\\\.v1"'],
    // ... and in the service generator's templates.
    ['`acme.${snake}.v1`, `acme/${snake}/v1/${snake}.proto`', '`myco.${snake}.v1`, `myco/${snake}/v1/${snake}.proto`'],
    ['package acme.<%= snake %>.v1;', 'package myco.<%= snake %>.v1;'],
    ['files/proto/acme/__snake__/v1/__snake__.proto__tmpl__', 'files/proto/myco/__snake__/v1/__snake__.proto__tmpl__'],
    ['the proto package acme.<name>.v1', 'the proto package myco.<name>.v1'],
    // The npm scope and its word everywhere else.
    ["import { SERVICES } from '@acme/contracts';", "import { SERVICES } from '@my-co/contracts';"],
    ['"customConditions": ["@acme/source"]', '"customConditions": ["@my-co/source"]'],
    ['image: acme/<%= app %>', 'image: my-co/<%= app %>'],
    ['image: ${IMAGE_PREFIX:-acme}/user-service:${IMAGE_TAG:-local}', 'image: ${IMAGE_PREFIX:-my-co}/user-service:${IMAGE_TAG:-local}'],
    ['newName: registry.example.com/acme/user-service', 'newName: registry.example.com/my-co/user-service'],
    ['namespace: acme-dev', 'namespace: my-co-dev'],
    ['spiffe://acme.internal/ns/acme/sa/order-service', 'spiffe://my-co.internal/ns/my-co/sa/order-service'],
    ['name: acme-ca', 'name: my-co-ca'],
    ['postgres://acme_users:pw@user-db:5432/acme_users', 'postgres://my_co_users:pw@user-db:5432/my_co_users'],
    ['amqp://u:p@rabbitmq:5672/acme, exchange acme.events', 'amqp://u:p@rabbitmq:5672/my-co, exchange my-co.events'],
    ['/etc/acme/tls/ca.crt', '/etc/my-co/tls/ca.crt'],
    ['com.acme.development-stand-in', 'com.my-co.development-stand-in'],
    ['# Acme: a reference monorepo', '# MyCo: a reference monorepo'],
    ['"$id": "AcmeService"', '"$id": "MyCoService"'],
  ])('%s', (before, after) => {
    expect(rename(before)).toBe(after);
  });

  it('leaves words that only contain the name', () => {
    expect(rename('acmes pacme macmeister ACME_DIRECTORY')).toBe('acmes pacme macmeister ACME_DIRECTORY');
  });

  it('renames in one pass: a new name that contains the old one is not renamed again', () => {
    const longer = renamer(ACME, { scope: '@acme-labs', protoPackage: 'acme_labs' });
    expect(longer('@acme/config acme-dev acme.user.v1 acme_users')).toBe('@acme-labs/config acme-labs-dev acme_labs.user.v1 acme_labs_users');
    expect(renamer({ scope: '@acme-labs', protoPackage: 'acme_labs' }, { scope: '@acme-labs', protoPackage: 'acme_labs' })(longer('@acme/config'))).toBe('@acme-labs/config');
  });

  it('is the identity from a name to itself', () => {
    const text = '@acme/contracts acme.user.v1 acme-dev acme_users Acme';
    expect(renamer(ACME, ACME)(text)).toBe(text);
  });
});

describe('checkedNames', () => {
  it('accepts a scope and a proto package', () => {
    expect(checkedNames('@my-co', 'my_co')).toEqual({ scope: '@my-co', protoPackage: 'my_co' });
  });

  it.each([
    ['myco', 'myco', /--scope=myco: an npm scope is @ and a lowercase name/],
    ['@MyCo', 'myco', /--scope=@MyCo/],
    ['@1co', 'myco', /--scope=@1co/],
    ['@my_co', 'myco', /--scope=@my_co/],
    [undefined, 'myco', /--scope=: /],
    ['@myco', 'my-co', /--proto-package=my-co: a proto package is a lowercase identifier/],
    ['@myco', 'MyCo', /--proto-package=MyCo/],
    ['@myco', '1co', /--proto-package=1co/],
    ['@myco', 'my.co', /--proto-package=my.co/],
  ])('refuses --scope=%s --proto-package=%s', (scope, protoPackage, message) => {
    expect(() => checkedNames(scope, protoPackage)).toThrow(message);
  });
});
