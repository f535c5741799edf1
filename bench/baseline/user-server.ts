import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { SERVICES, type ResponseInitOf, type userV1 } from '@acme/contracts';
import { databaseFailure, fail, pool, serve } from './server';

// Baseline UserService.GetUser: raw @grpc/grpc-js + pg, no framework. The
// same answer and status codes as user-service, from the same table.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface UserRow {
  id: string;
  email: string;
  name: string;
  create_time: Date;
}

type UserInit = ResponseInitOf<typeof SERVICES.user, 'getUser'>;

function GetUser(call: ServerUnaryCall<userV1.GetUserRequest, UserInit>, callback: sendUnaryData<UserInit>): void {
  const { id } = call.request;
  if (!UUID.test(id)) return callback(fail(status.INVALID_ARGUMENT, 'id: must be a UUID'));
  // A named prepared statement, as user-service's repository uses for this read.
  pool.query<UserRow>({ name: 'users.find-by-id', text: 'SELECT id, email, name, create_time FROM users WHERE id = $1', values: [id.toLowerCase()] }).then(
    ({ rows: [user] }) =>
      user
        ? callback(null, { id: user.id, email: user.email, name: user.name, createTime: timestampFromDate(user.create_time) })
        : callback(fail(status.NOT_FOUND, `user ${id} not found`)),
    (error: unknown) => callback(databaseFailure(error)),
  );
}

serve('baseline user server', SERVICES.user, { GetUser }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
