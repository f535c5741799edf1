import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { SERVICES, type ResponseInitOf, userV1 } from '@acme/contracts';
import { databaseFailure, fail, pool, ruleViolation, serve } from './server';

// Baseline UserService.GetUser: raw @grpc/grpc-js + pg, no framework. The
// same answer and status codes as user-service, from the same table.

interface UserRow {
  id: string;
  email: string;
  name: string;
  create_time: Date;
}

type UserInit = ResponseInitOf<typeof SERVICES.user, 'getUser'>;

function GetUser(call: ServerUnaryCall<userV1.GetUserRequest, UserInit>, callback: sendUnaryData<UserInit>): void {
  const invalid = ruleViolation(userV1.GetUserRequestSchema, call.request);
  if (invalid) return callback(fail(status.INVALID_ARGUMENT, invalid));
  const { id } = call.request;
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
