import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface User {
    id: string;
    role: string;
    plantIds: string[];
  }
  interface Session {
    user: { id: string; name: string; email: string; role: string; plantIds: string[] };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    role: string;
    plantIds: string[];
  }
}
