import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { pageSize } from '../http/json-values';
import { ApiProblems } from '../http/problem.schema';
import { ApiCreatedWithKey, ApiIdParam, ApiIdempotencyKeyHeader, ApiPageQueries } from '../http/api-params';
import { USER_SERVICE, type UserService } from '../upstreams/upstreams.module';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyHeaders, idParams, pageQuery, type PageQuery } from '../http/common.schemas';
import { createUserBody, type CreateUserBody } from './user.schemas';
import { type UserPageView, type UserView, userPageView, userView } from './user.view';

const USER = { $ref: '#/components/schemas/User' };

/** /users: thin translation between REST and acme.user.v1.UserService. */
@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(@Inject(USER_SERVICE) private readonly users: UserService) {}

  /**
   * With an Idempotency-Key, repeating the request returns the user it
   * created (201 again) instead of 409, so a client that lost the first
   * answer can retry. Without one nothing is generated: the gateway does not
   * retry CreateUser itself, and a key the client never saw cannot help it.
   */
  @Post()
  @HttpCode(201)
  @RouteSchema({ body: createUserBody, headers: idempotencyKeyHeaders })
  @ApiOperation({ operationId: 'createUser', summary: 'Register a user (idempotent per Idempotency-Key, when given)' })
  @ApiIdempotencyKeyHeader('Optional; unique per intended user, repeat it on retries. Echoed in the response.')
  @ApiBody({ schema: { $ref: '#/components/schemas/CreateUserRequest' } })
  @ApiCreatedWithKey({
    what: 'user',
    description: 'Created, or the user an earlier request with the same Idempotency-Key, email and name created.',
    schema: USER,
    echoedKey: 'The key sent, when one was.',
  })
  @ApiProblems(400, 409, 413, 415, 422)
  async createUser(
    @Body() body: CreateUserBody,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserView> {
    if (idempotencyKey !== undefined) void reply.header(IDEMPOTENCY_KEY_HEADER, idempotencyKey);
    const user = userView(await this.users.createUser({ email: body.email, name: body.name, idempotencyKey: idempotencyKey ?? '' }));
    void reply.header('location', `/users/${user.id}`);
    return user;
  }

  @Get(':id')
  @RouteSchema({ params: idParams })
  @ApiOperation({ operationId: 'getUser', summary: 'Get a user' })
  @ApiIdParam('user')
  @ApiResponse({ status: 200, description: 'The user.', schema: USER })
  @ApiProblems(400, 404)
  async getUser(@Param('id') id: string): Promise<UserView> {
    return userView(await this.users.getUser({ id }));
  }

  @Get()
  @RouteSchema({ querystring: pageQuery })
  @ApiOperation({ operationId: 'listUsers', summary: 'List users, oldest first' })
  @ApiPageQueries()
  @ApiResponse({ status: 200, description: 'One page of users.', schema: { $ref: '#/components/schemas/UserPage' } })
  @ApiProblems(400)
  async listUsers(@Query() query: PageQuery): Promise<UserPageView> {
    return userPageView(await this.users.listUsers({ pageSize: pageSize(query.page_size), pageToken: query.page_token ?? '' }));
  }

  @Delete(':id')
  @HttpCode(204)
  @RouteSchema({ params: idParams })
  @ApiOperation({ operationId: 'deleteUser', summary: 'Delete a user' })
  @ApiIdParam('user')
  @ApiResponse({ status: 204, description: 'Deleted.' })
  @ApiProblems(400, 404)
  async deleteUser(@Param('id') id: string): Promise<void> {
    await this.users.deleteUser({ id });
  }
}
