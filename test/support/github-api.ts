/**
 * A real HTTP server on 127.0.0.1 serving the few GitHub REST endpoints the pull request comment
 * uses, as GitHub answers them: `GET /user`, the issue comments of a pull request (paginated with
 * a `Link` header), creating one and updating one. It checks the token, keeps the comments, and
 * records every request; tests queue failures (status, headers, message) per route.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredComment {
  readonly id: number;
  body: string;
  readonly issue: number;
  readonly user: { readonly login: string; readonly type: 'User' | 'Bot' };
  readonly html_url: string;
  updates: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly route: Route;
  readonly status: number;
}

export type Route = 'user' | 'list' | 'create' | 'update' | 'unknown';

export interface Failure {
  readonly status: number;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

export interface GitHubApiOptions {
  /** The token the server accepts. */
  readonly token: string;
  /** Who the token is: a user (GET /user answers) or the run's bot (GET /user is 403). */
  readonly identity: { readonly login: string; readonly type: 'User' | 'Bot' };
  readonly pageSize?: number;
}

export class GitHubApi {
  readonly comments: StoredComment[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly failures = new Map<Route, Failure[]>();
  private nextId = 1000;
  private server = createServer((req, res) => void this.handle(req, res));

  constructor(private readonly options: GitHubApiOptions) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next requests to `route` answer these failures, in order. */
  fail(route: Route, ...failures: Failure[]): void {
    this.failures.set(route, [...(this.failures.get(route) ?? []), ...failures]);
  }

  /** A comment written by someone else (or by this identity in an earlier run). */
  seed(issue: number, body: string, user: StoredComment['user']): StoredComment {
    const comment = this.store(issue, body, user);
    return comment;
  }

  private store(issue: number, body: string, user: StoredComment['user']): StoredComment {
    const id = this.nextId++;
    const comment: StoredComment = {
      id,
      body,
      issue,
      user,
      html_url: `https://github.example.com/o/r/pull/${issue}#issuecomment-${id}`,
      updates: 0,
    };
    this.comments.push(comment);
    return comment;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const route = routeOf(req.method ?? '', url.pathname);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: req.method ?? '', path: url.pathname, route, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `token ${this.options.token}`)
      return answer(401, { message: 'Bad credentials' });
    const failure = this.failures.get(route)?.shift();
    if (failure !== undefined)
      return answer(failure.status, { message: failure.message }, failure.headers);
    this.respond(route, url, body, answer);
  }

  private respond(
    route: Route,
    url: URL,
    body: string,
    answer: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): void {
    const parts = url.pathname.split('/');
    const { identity } = this.options;
    if (route === 'user') {
      if (identity.type === 'Bot')
        return answer(403, { message: 'Resource not accessible by integration' });
      return answer(200, { login: identity.login, type: 'User' });
    }
    if (route === 'list') {
      const issue = Number(parts[5]);
      const size = this.options.pageSize ?? Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const all = this.comments.filter((c) => c.issue === issue);
      const last = Math.max(1, Math.ceil(all.length / size));
      const headers: Record<string, string> =
        page < last
          ? { link: `<${this.url}${url.pathname}?per_page=${size}&page=${page + 1}>; rel="next"` }
          : {};
      return answer(200, all.slice((page - 1) * size, page * size), headers);
    }
    if (route === 'create') {
      const text = (JSON.parse(body) as { body: string }).body;
      if (text.length > 65536)
        return answer(422, { message: 'Body is too long (maximum is 65536 characters)' });
      return answer(201, this.store(Number(parts[5]), text, identity));
    }
    if (route === 'update') {
      const comment = this.comments.find((c) => c.id === Number(parts[6]));
      if (comment === undefined) return answer(404, { message: 'Not Found' });
      if (comment.user.login !== identity.login)
        return answer(403, { message: 'You cannot edit this comment' });
      comment.body = (JSON.parse(body) as { body: string }).body;
      comment.updates += 1;
      return answer(200, comment);
    }
    return answer(404, { message: 'Not Found' });
  }
}

function routeOf(method: string, path: string): Route {
  if (method === 'GET' && path === '/user') return 'user';
  if (/^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/.test(path))
    return method === 'GET' ? 'list' : method === 'POST' ? 'create' : 'unknown';
  if (method === 'PATCH' && /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/.test(path))
    return 'update';
  return 'unknown';
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString('utf8');
  return text;
}
